using Akka.Actor;
using Akka.Persistence;

namespace ActorStream.Cli.Commands;

/// <summary>
/// One persistent actor of <c>actorstream diagnostics journal-stress write</c>: persists events 1..N (the text
/// <see cref="EventText"/>) in a mix of <c>PersistAll</c> batches and single <c>Persist</c> calls, each write waiting for the
/// previous one, so several writers in several processes keep the shared journal busy. Completes <c>done</c> with the last
/// sequence number, or fails it if the journal fails or the persistence id already had events.
/// </summary>
internal sealed class JournalStressWriter : ReceivePersistentActor
{
    private const int BatchSize = 10;

    private readonly int _events;
    private readonly TaskCompletionSource<long> _done;
    private int _written;
    private int _step;

    public JournalStressWriter(string persistenceId, int events, TaskCompletionSource<long> done)
    {
        PersistenceId = persistenceId;
        _events = events;
        _done = done;

        Recover<string>(_ => _written++);
        Recover<RecoveryCompleted>(_ =>
        {
            if (LastSequenceNr != 0)
            {
                _done.TrySetException(new InvalidOperationException($"{PersistenceId} already has {LastSequenceNr} events: use a fresh writer id"));
                Context.Stop(Self);
                return;
            }

            Self.Tell(WriteNext.Instance);
        });
        Command<WriteNext>(_ => WriteNextChunk());
    }

    public override string PersistenceId { get; }

    public static Props Props(string persistenceId, int events, TaskCompletionSource<long> done) =>
        Akka.Actor.Props.Create(() => new JournalStressWriter(persistenceId, events, done));

    /// <summary>The payload of event <paramref name="sequenceNr"/> of a persistence id: the verifier expects exactly this.</summary>
    public static string EventText(string persistenceId, long sequenceNr) => $"{persistenceId}/{sequenceNr}";

    private void WriteNextChunk()
    {
        if (_written == _events)
        {
            _done.TrySetResult(LastSequenceNr);
            return;
        }

        var single = _step++ % 3 == 2;
        var size = single ? 1 : Math.Min(BatchSize, _events - _written);
        var chunk = Enumerable.Range(_written + 1, size).Select(i => EventText(PersistenceId, i)).ToList();
        var last = chunk[^1];
        void Persisted(string @event)
        {
            _written++;
            if (ReferenceEquals(@event, last))
            {
                Self.Tell(WriteNext.Instance);
            }
        }

        if (single)
        {
            Persist(chunk[0], Persisted);
        }
        else
        {
            PersistAll(chunk, Persisted);
        }
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        _done.TrySetException(new InvalidOperationException($"{PersistenceId}: writing event {sequenceNr} failed: {cause.Message}", cause));
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        _done.TrySetException(new InvalidOperationException($"{PersistenceId}: event {sequenceNr} was rejected: {cause.Message}", cause));
        base.OnPersistRejected(cause, @event, sequenceNr);
    }

    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        _done.TrySetException(new InvalidOperationException($"{PersistenceId}: recovery failed: {reason.Message}", reason));
        base.OnRecoveryFailure(reason, message);
    }

    protected override void PostStop()
    {
        _done.TrySetException(new InvalidOperationException($"{PersistenceId} stopped after {_written} of {_events} events"));
        base.PostStop();
    }

    private sealed class WriteNext
    {
        public static readonly WriteNext Instance = new();
    }
}
