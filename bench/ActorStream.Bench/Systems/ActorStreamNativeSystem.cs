using System.Diagnostics;
using ActorStream.Bench.Measurement;
using ActorStream.Client;
using ActorStream.Client.Admin;
using ActorStream.Client.Config;
using ActorStream.Client.Consumer;
using ActorStream.Client.Producer;
using ActorStream.Client.Serialization;

namespace ActorStream.Bench.Systems;

/// <summary>
/// ActorStream through its native client (<c>ActorStream.Client</c>: Producer/Consumer over Akka.Remote).
/// Acknowledged mode: the producer's defaults with acks=1 (linger 0, 16 KiB batches); throughput mode: acks=1,
/// linger.ms=5, batch.size=256 KiB (as <c>actorstream perf produce</c> in the README); latency: linger.ms=0.
/// </summary>
internal sealed class ActorStreamNativeSystem(string bootstrap, IReadOnlyList<int> brokerPids, string ack, string nameSuffix = "") : IConsumerGroupSystem
{
    public string Name => "ActorStream native" + nameSuffix;

    public string Ack => ack;

    public IReadOnlyList<int> BrokerPids => brokerPids;

    public async Task CreateAsync(string topic, int partitions, int replicas, CancellationToken cancellationToken)
    {
        await using var admin = new AdminClient(AdminConfig.FromProperties(new Dictionary<string, string> { ["bootstrap.servers"] = bootstrap }));
        var configs = replicas > 1 ? new Dictionary<string, string> { ["min.insync.replicas"] = "2" } : null;
        try
        {
            await admin.CreateTopicsAsync(topic, partitions, (short)replicas, configs, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is Akka.Actor.AskTimeoutException or TimeoutException)
        {
            // Many partitions take longer to start than the request's timeout: wait for every one to have a leader.
            await WaitForLeadersAsync(admin, topic, partitions, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task WaitForLeadersAsync(AdminClient admin, string topic, int partitions, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                var description = (await admin.DescribeTopicsAsync([topic], false, cancellationToken).ConfigureAwait(false)).SingleOrDefault();
                if (description is not null && description.Partitions.Count == partitions && description.Partitions.All(p => p.Leader >= 0))
                {
                    return;
                }
            }
            catch (Exception e) when (e is ActorStreamException or Akka.Actor.AskTimeoutException or TimeoutException && clock.Elapsed < TimeSpan.FromMinutes(3))
            {
                // Not known yet, or the controller is busy starting the partitions: ask again.
            }

            if (clock.Elapsed > TimeSpan.FromMinutes(3))
            {
                throw new TimeoutException($"{topic}: not every one of its {partitions} partitions had a leader within 3 minutes");
            }

            await Task.Delay(1_000, cancellationToken).ConfigureAwait(false);
        }
    }

    private ProducerConfig ProducerConfigFor(ProduceMode mode, string acks, bool latency = false)
    {
        var properties = new Dictionary<string, string>
        {
            ["bootstrap.servers"] = bootstrap,
            ["client.id"] = "actorstream-bench",
            ["acks"] = acks,
        };
        if (mode == ProduceMode.Throughput)
        {
            properties["linger.ms"] = "5";
            properties["batch.size"] = "262144";
        }

        if (latency)
        {
            properties["linger.ms"] = "0";
        }

        return ProducerConfig.FromProperties(properties);
    }

    public async Task<TimeSpan> ProduceAsync(ProduceJob job, CancellationToken cancellationToken)
    {
        var config = ProducerConfigFor(job.Mode, job.Acks);
        await using var producer = new Producer<Null, byte[]>(config, Serializers.Null, Serializers.ByteArray);
        await producer.ConnectedTask.WaitAsync(cancellationToken).ConfigureAwait(false);
        var value = job.NewValue();
        // The throughput window is what buffer.memory holds, as in actorstream perf produce.
        var window = new InFlightWindow(job.Mode == ProduceMode.Acknowledged ? job.Window : (int)Math.Clamp(config.BufferMemory / (job.RecordSize + 70), 1_000, 1_000_000));
        var clock = Stopwatch.StartNew();
        for (var i = 0L; i < job.Records; i++)
        {
            await window.AcquireAsync(cancellationToken).ConfigureAwait(false);
            window.Track(producer.ProduceAsync(job.Topic, null, value, partition: job.Partitions == 1 ? 0 : null, cancellationToken: cancellationToken));
        }

        await window.DrainAsync(cancellationToken).ConfigureAwait(false);
        return clock.Elapsed;
    }

    private Consumer<byte[]?, byte[]?> NewConsumer(string? group = null)
    {
        var properties = new Dictionary<string, string>
        {
            ["bootstrap.servers"] = bootstrap,
            ["client.id"] = "actorstream-bench",
            ["auto.offset.reset"] = "earliest",
        };
        if (group is not null)
        {
            properties["group.id"] = group;
        }

        return new(ConsumerConfig.FromProperties(properties), Deserializers.ByteArray, Deserializers.ByteArray);
    }

    public async Task<TimeSpan> ConsumeAsync(ConsumeJob job, CancellationToken cancellationToken)
    {
        await using var consumer = NewConsumer();
        await consumer.ConnectedTask.WaitAsync(cancellationToken).ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        consumer.Assign(Enumerable.Range(0, job.Partitions).Select(p => new TopicPartition(job.Topic, p)));
        await PollUntilAsync(consumer, job.Records, clock, cancellationToken).ConfigureAwait(false);
        return clock.Elapsed;
    }

    public async Task<TimeSpan> ConsumeInGroupsAsync(ConsumeJob job, int groups, CancellationToken cancellationToken)
    {
        var consumers = Enumerable.Range(0, groups).Select(g => NewConsumer($"bench-{job.Topic}-{g}")).ToList();
        try
        {
            await Task.WhenAll(consumers.Select(c => c.ConnectedTask)).WaitAsync(cancellationToken).ConfigureAwait(false);
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(consumers.Select(c =>
            {
                c.Subscribe([job.Topic]);
                return PollUntilAsync(c, job.Records, clock, cancellationToken);
            })).ConfigureAwait(false);
            return clock.Elapsed;
        }
        finally
        {
            foreach (var consumer in consumers)
            {
                await consumer.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task PollUntilAsync(Consumer<byte[]?, byte[]?> consumer, long records, Stopwatch clock, CancellationToken cancellationToken)
    {
        long count = 0;
        var lastRecord = clock.Elapsed;
        while (count < records)
        {
            var batch = await consumer.PollAsync(TimeSpan.FromMilliseconds(100), cancellationToken).ConfigureAwait(false);
            if (batch.Count > 0)
            {
                count += batch.Count;
                lastRecord = clock.Elapsed;
            }
            else if (clock.Elapsed - lastRecord > ConsumeJob.Idle)
            {
                throw new TimeoutException($"consumed {count} of {records} records");
            }
        }
    }

    public async Task<TimeSpan> LatencyAsync(LatencyJob job, LatencyRecorder recorder, CancellationToken cancellationToken)
    {
        await using var consumer = NewConsumer();
        await using var producer = new Producer<Null, byte[]>(ProducerConfigFor(ProduceMode.Acknowledged, job.Acks, latency: true), Serializers.Null, Serializers.ByteArray);
        await Task.WhenAll(consumer.ConnectedTask, producer.ConnectedTask).WaitAsync(cancellationToken).ConfigureAwait(false);
        consumer.Assign([new TopicPartition(job.Topic, 0)]);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tail = Task.Run(
            async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    foreach (var record in await consumer.PollAsync(TimeSpan.FromMilliseconds(100), stop.Token).ConfigureAwait(false))
                    {
                        recorder.Receive(record.Value);
                    }
                }
            },
            CancellationToken.None);
        var clock = Stopwatch.StartNew();
        await PacedSends.RunAsync(job, value => producer.ProduceAsync(job.Topic, null, value, partition: 0, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
        try
        {
            await recorder.WaitForAsync(job.Records, ConsumeJob.Idle, tail, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await tail.ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        }

        return clock.Elapsed;
    }

    public Task DeleteAsync(string topic, int partitions, CancellationToken cancellationToken) => Task.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
