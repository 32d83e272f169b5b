using ActorStream.Bench.Systems;

namespace ActorStream.Bench.Measurement;

/// <summary>
/// The latency workloads' producer side, the same for every system: <c>job.Records</c> stamped values sent at
/// <c>job.Rate</c>, at most <see cref="ProduceJob.AcknowledgedWindow"/> unacknowledged; returns once every send is
/// acknowledged (throws the first failure).
/// </summary>
internal static class PacedSends
{
    public static async Task RunAsync(LatencyJob job, Func<byte[], Task> send, CancellationToken cancellationToken)
    {
        var pacer = new RatePacer(job.Rate);
        var window = new InFlightWindow(ProduceJob.AcknowledgedWindow);
        for (var i = 0L; i < job.Records; i++)
        {
            await pacer.WaitTurnAsync(i, cancellationToken).ConfigureAwait(false);
            await window.AcquireAsync(cancellationToken).ConfigureAwait(false);
            window.Track(send(LatencyStamp.NewValue(job.RecordSize, i)));
        }

        await window.DrainAsync(cancellationToken).ConfigureAwait(false);
    }
}
