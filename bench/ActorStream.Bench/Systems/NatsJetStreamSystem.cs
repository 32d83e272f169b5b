using System.Diagnostics;
using ActorStream.Bench.Measurement;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace ActorStream.Bench.Systems;

/// <summary>
/// NATS JetStream through NATS.Net (NATS.Client.JetStream). A partition is a stream of its own (file storage, one
/// subject); producers call <c>PublishAsync</c> and await every PubAck with many in flight (the client's way to
/// publish fast); consumers are ordered consumers (<c>ConsumeAsync</c>, no acks) reading each stream from its start.
/// </summary>
internal sealed class NatsJetStreamSystem(string url, IReadOnlyList<int> brokerPids) : IMessagingSystem
{
    private readonly NatsConnection _connection = new(new NatsOpts { Url = url, Name = "actorstream-bench" });

    public string Name => "NATS JetStream";

    public string Ack => "PubAck: in the stream's file store, page cache (fsync every 2 min by default)";

    public IReadOnlyList<int> BrokerPids => brokerPids;

    private static string Stream(string topic, int partition) => $"{topic}-{partition}";

    private static string Subject(string topic, int partition) => $"{topic}.{partition}";

    public async Task CreateAsync(string topic, int partitions, int replicas, CancellationToken cancellationToken)
    {
        var js = new NatsJSContext(_connection);
        for (var p = 0; p < partitions; p++)
        {
            await js.CreateStreamAsync(new StreamConfig(Stream(topic, p), [Subject(topic, p)]) { Storage = StreamConfigStorage.File }, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task PublishAsync(NatsJSContext js, string subject, byte[] value, CancellationToken cancellationToken)
    {
        var ack = await js.PublishAsync(subject, value, cancellationToken: cancellationToken).ConfigureAwait(false);
        ack.EnsureSuccess();
    }

    public async Task<TimeSpan> ProduceAsync(ProduceJob job, CancellationToken cancellationToken)
    {
        var js = new NatsJSContext(_connection);
        var value = job.NewValue();
        var subjects = Enumerable.Range(0, job.Partitions).Select(p => Subject(job.Topic, p)).ToArray();
        var window = new InFlightWindow(job.Window);
        var clock = Stopwatch.StartNew();
        for (var i = 0L; i < job.Records; i++)
        {
            await window.AcquireAsync(cancellationToken).ConfigureAwait(false);
            window.Track(PublishAsync(js, subjects[i % subjects.Length], value, cancellationToken));
        }

        await window.DrainAsync(cancellationToken).ConfigureAwait(false);
        return clock.Elapsed;
    }

    public async Task<TimeSpan> ConsumeAsync(ConsumeJob job, CancellationToken cancellationToken)
    {
        var js = new NatsJSContext(_connection);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, job.Partitions).Select(p => ConsumeStreamAsync(js, Stream(job.Topic, p), job.RecordsIn(p), null, cancellationToken))).ConfigureAwait(false);
        return clock.Elapsed;
    }

    private static async Task ConsumeStreamAsync(NatsJSContext js, string stream, long records, LatencyRecorder? recorder, CancellationToken cancellationToken)
    {
        var consumer = await js.CreateOrderedConsumerAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
        long count = 0;
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        idle.CancelAfter(ConsumeJob.Idle);
        try
        {
            await foreach (var message in consumer.ConsumeAsync<byte[]>(cancellationToken: idle.Token).ConfigureAwait(false))
            {
                recorder?.Receive(message.Data);
                idle.CancelAfter(ConsumeJob.Idle);
                if (++count >= records)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"consumed {count} of {records} records of {stream}");
        }
    }

    public async Task<TimeSpan> LatencyAsync(LatencyJob job, LatencyRecorder recorder, CancellationToken cancellationToken)
    {
        var js = new NatsJSContext(_connection);
        var tail = ConsumeStreamAsync(js, Stream(job.Topic, 0), job.Records, recorder, cancellationToken);
        var subject = Subject(job.Topic, 0);
        var clock = Stopwatch.StartNew();
        await PacedSends.RunAsync(job, value => PublishAsync(js, subject, value, cancellationToken), cancellationToken).ConfigureAwait(false);
        await tail.ConfigureAwait(false);
        return clock.Elapsed;
    }

    public async Task DeleteAsync(string topic, int partitions, CancellationToken cancellationToken)
    {
        var js = new NatsJSContext(_connection);
        for (var p = 0; p < partitions; p++)
        {
            await js.DeleteStreamAsync(Stream(topic, p), cancellationToken).ConfigureAwait(false);
        }
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
