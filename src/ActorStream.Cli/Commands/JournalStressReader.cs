using Akka.Actor;
using Akka.Persistence;

namespace ActorStream.Cli.Commands;

/// <summary>
/// Replays one persistence id of <c>actorstream diagnostics journal-stress verify</c> and completes <c>replayed</c> with every
/// event and the sequence number it was replayed under, in replay order; then stops. Writes nothing.
/// </summary>
internal sealed class JournalStressReader : ReceivePersistentActor
{
    private readonly List<(long SequenceNr, string Event)> _events = [];
    private readonly TaskCompletionSource<IReadOnlyList<(long SequenceNr, string Event)>> _replayed;

    public JournalStressReader(string persistenceId, TaskCompletionSource<IReadOnlyList<(long SequenceNr, string Event)>> replayed)
    {
        PersistenceId = persistenceId;
        _replayed = replayed;
        Recover<string>(e => _events.Add((LastSequenceNr, e)));
        Recover<RecoveryCompleted>(_ =>
        {
            _replayed.TrySetResult(_events);
            Context.Stop(Self);
        });
    }

    public override string PersistenceId { get; }

    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        _replayed.TrySetException(new InvalidOperationException($"{PersistenceId}: replay failed: {reason.Message}", reason));
        base.OnRecoveryFailure(reason, message);
    }

    public static Props Props(string persistenceId, TaskCompletionSource<IReadOnlyList<(long SequenceNr, string Event)>> replayed) =>
        Akka.Actor.Props.Create(() => new JournalStressReader(persistenceId, replayed));
}
