using System.Collections.Concurrent;
using System.Text;
using ActorStream.Kafka.Tests.Support;
using Confluent.Kafka;

namespace ActorStream.Kafka.Tests.Groups;

/// <summary>One Subscribe consumer polling on its own thread; what it reads and holds is readable from the test.</summary>
internal sealed class SubscribedConsumer : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private readonly IConsumer<byte[], byte[]> _consumer;
    private readonly ITestOutputHelper _output;
    private readonly Thread _thread;
    private readonly ConcurrentQueue<Action> _onPollThread = new();
    private volatile bool _stop;
    private volatile int[] _assignment = [];

    public SubscribedConsumer(KafkaGroupNode node, string groupId, string topic, ITestOutputHelper output)
    {
        _output = output;
        var config = KafkaClients.ConsumerConfig(node.KafkaBootstrap);
        config.GroupId = groupId;
        config.SessionTimeoutMs = KafkaGroupNode.SessionTimeoutMs;
        config.HeartbeatIntervalMs = 500;
        config.EnableAutoCommit = false;
        config.EnableAutoOffsetStore = true;
        // ACTORSTREAM_KAFKA_DEBUG=protocol shows each request and the version librdkafka picked.
        config.Debug = Environment.GetEnvironmentVariable("ACTORSTREAM_KAFKA_DEBUG");
        // Every rebalance callback is logged with its time, so a failure shows the member's rebalance history.
        _consumer = new ConsumerBuilder<byte[], byte[]>(config)
            .SetLogHandler((_, message) => KafkaClients.Log(output, message))
            .SetErrorHandler((_, error) => KafkaClients.Log(output, error))
            .SetPartitionsAssignedHandler((c, partitions) => LogRebalance(c, "assigned", partitions.Select(p => p.Partition.Value)))
            .SetPartitionsRevokedHandler((c, partitions) => LogRebalance(c, "revoked", partitions.Select(p => p.Partition.Value)))
            .SetPartitionsLostHandler((c, partitions) => LogRebalance(c, "lost", partitions.Select(p => p.Partition.Value)))
            .Build();
        _consumer.Subscribe(topic);
        _thread = new Thread(Poll) { IsBackground = true, Name = "group-member-" + groupId };
        _thread.Start();
    }

    public ConcurrentQueue<(int Partition, string Value)> Received { get; } = new();

    /// <summary>The partitions the member holds, as its client last reported.</summary>
    public IReadOnlyCollection<int> Assignment => _assignment;

    /// <summary>Commits what was read (synchronously, on the poll thread).</summary>
    public Task CommitAsync() => OnPollThreadAsync(consumer => consumer.Commit());

    /// <summary>Commits what was read, then leaves the group (Close) and stops polling.</summary>
    public Task CommitAndCloseAsync() => OnPollThreadAsync(consumer =>
    {
        consumer.Commit();
        consumer.Close();
        _stop = true;
    });

    private Task OnPollThreadAsync(Action<IConsumer<byte[], byte[]>> action)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _onPollThread.Enqueue(() =>
        {
            try
            {
                action(_consumer);
                done.SetResult();
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        });
        return done.Task.WaitAsync(Timeout);
    }

    public void Dispose()
    {
        _stop = true;
        _thread.Join(Timeout);
        _consumer.Dispose();
    }

    private void LogRebalance(IConsumer<byte[], byte[]> consumer, string kind, IEnumerable<int> partitions) =>
        _output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {consumer.Name} ({consumer.MemberId}): {kind} [{string.Join(',', partitions.Order())}]");

    private void Poll()
    {
        while (!_stop)
        {
            if (_onPollThread.TryDequeue(out var action))
            {
                action();
                continue;
            }

            try
            {
                if (_consumer.Consume(TimeSpan.FromMilliseconds(100)) is { IsPartitionEOF: false, Message: { } message } result)
                {
                    Received.Enqueue((result.Partition.Value, Encoding.UTF8.GetString(message.Value)));
                }
            }
            catch (ConsumeException e)
            {
                // The client reports and goes on (a rebalance, a retriable error): the test's checks decide.
                KafkaClients.Log(_output, e.Error);
            }

            _assignment = _consumer.Assignment.Select(p => p.Partition.Value).Order().ToArray();
        }
    }
}
