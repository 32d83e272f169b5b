using Akka.Streams;
using Akka.Streams.Stage;
using ActorStream.Client.Consumer;

namespace ActorStream.Client.Streams;

/// <summary>
/// The committable source: per materialization a consumer subscribed to the group, polled only while downstream demands
/// records and the previous poll's records are all emitted. Commits of the emitted offsets go through the same
/// <see cref="ConsumerSession{TKey,TValue}"/>, so they never overlap a poll.
/// </summary>
internal sealed class CommittableSourceStage<TKey, TValue> : GraphStageWithMaterializedValue<SourceShape<CommittableMessage<TKey, TValue>>, IConsumerControl>
{
    private readonly Func<IConsumer<TKey, TValue>> _createConsumer;
    private readonly string _groupId;
    private readonly IReadOnlyList<string> _topics;
    private readonly TimeSpan _pollTimeout;
    private readonly TimeSpan _stopTimeout;

    public CommittableSourceStage(Func<IConsumer<TKey, TValue>> createConsumer, string groupId, IReadOnlyList<string> topics, TimeSpan pollTimeout, TimeSpan stopTimeout)
    {
        _createConsumer = createConsumer;
        _groupId = groupId;
        _topics = topics;
        _pollTimeout = pollTimeout;
        _stopTimeout = stopTimeout;
        Shape = new SourceShape<CommittableMessage<TKey, TValue>>(Out);
    }

    public Outlet<CommittableMessage<TKey, TValue>> Out { get; } = new("CommittableSource.out");

    public override SourceShape<CommittableMessage<TKey, TValue>> Shape { get; }

    protected override Attributes InitialAttributes { get; } = Attributes.CreateName("committableSource");

    public override ILogicAndMaterializedValue<IConsumerControl> CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var control = new ConsumerControl(_stopTimeout);
        return new LogicAndMaterializedValue<IConsumerControl>(new Logic(this, control), control);
    }

    private sealed class Logic : OutGraphStageLogic
    {
        private readonly CommittableSourceStage<TKey, TValue> _stage;
        private readonly ConsumerControl _control;
        private readonly Queue<CommittableMessage<TKey, TValue>> _buffer = new();
        private ConsumerSession<TKey, TValue>? _session;
        private Action<Task<IReadOnlyList<ConsumeResult<TKey, TValue>>>>? _onPolled;
        private bool _polling;
        private bool _failed;

        public Logic(CommittableSourceStage<TKey, TValue> stage, ConsumerControl control)
            : base(stage.Shape)
        {
            _stage = stage;
            _control = control;
            SetHandler(stage.Out, this);
        }

        public override void PreStart()
        {
            _onPolled = GetAsyncCallback<Task<IReadOnlyList<ConsumeResult<TKey, TValue>>>>(OnPolled);
            var onStopRequested = GetAsyncCallback(CompleteStage);
            _control.StopRequested.ContinueWith(
                _ =>
                {
                    if (!_control.SourceStopped.IsCompleted)
                    {
                        onStopRequested();
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);

            var consumer = _stage._createConsumer();
            _session = new ConsumerSession<TKey, TValue>(consumer);
            try
            {
                consumer.Subscribe(_stage._topics);
            }
            catch (Exception)
            {
                _failed = true; // the stage fails: close the consumer at once
                throw;
            }
        }

        public override void OnPull()
        {
            if (_buffer.Count > 0)
            {
                Push(_stage.Out, _buffer.Dequeue());
            }
            else if (!_polling)
            {
                Poll();
            }
        }

        public override void PostStop()
        {
            var session = _session;
            _control.OnSourceStopped(session is null ? () => Task.CompletedTask : session.CloseAsync, closeNow: _failed);
        }

        private void Poll()
        {
            _polling = true;
            _session!.PollAsync(_stage._pollTimeout)
                .ContinueWith(_onPolled!, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        private void OnPolled(Task<IReadOnlyList<ConsumeResult<TKey, TValue>>> poll)
        {
            _polling = false;
            if (poll.IsFaulted)
            {
                _failed = true;
                FailStage(poll.Exception!.InnerException ?? poll.Exception);
                return;
            }

            foreach (var record in poll.Result)
            {
                var offset = new PartitionOffset(_stage._groupId, record.TopicPartition, record.Offset + 1);
                _buffer.Enqueue(new CommittableMessage<TKey, TValue>(record, new CommittableOffset(offset, _session!)));
            }

            if (IsAvailable(_stage.Out))
            {
                OnPull();
            }
        }
    }
}
