using System.Diagnostics;
using ActorStream.Bench.Measurement;
using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace ActorStream.Bench.Systems;

/// <summary>
/// ActorStream's Kafka listener through Confluent.Kafka (librdkafka). Acknowledged mode: <c>ProduceAsync</c> per
/// record, librdkafka's defaults with acks=1 (linger.ms=5, batch.size=1,000,000); throughput mode: <c>Produce</c>
/// with a delivery handler (the client's documented fast path), same settings; latency: linger.ms=0. Consumers
/// assign every partition from the beginning (a group id is required by the client; no group API is used).
/// </summary>
internal sealed class ConfluentKafkaSystem(string bootstrap, IReadOnlyList<int> brokerPids, string ack, string nameSuffix = "") : IConsumerGroupSystem
{
    public string Name => "ActorStream Confluent.Kafka" + nameSuffix;

    public string Ack => ack;

    public IReadOnlyList<int> BrokerPids => brokerPids;

    public async Task CreateAsync(string topic, int partitions, int replicas, CancellationToken cancellationToken)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build();
        var spec = new TopicSpecification { Name = topic, NumPartitions = partitions, ReplicationFactor = (short)replicas };
        if (replicas > 1)
        {
            spec.Configs = new Dictionary<string, string> { ["min.insync.replicas"] = "2" };
        }

        await admin.CreateTopicsAsync([spec]).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private IProducer<Null, byte[]> NewProducer(string acks, bool latency = false)
    {
        var config = new ProducerConfig
        {
            BootstrapServers = bootstrap,
            Acks = acks == "all" ? Acks.All : Acks.Leader,
            EnableIdempotence = acks == "all" ? null : false,
        };
        if (latency)
        {
            config.LingerMs = 0;
        }

        return new ProducerBuilder<Null, byte[]>(config)
            .SetErrorHandler((_, error) => Console.Error.WriteLine($"rdkafka error {error.Code}: {error.Reason}"))
            .Build();
    }

    public async Task<TimeSpan> ProduceAsync(ProduceJob job, CancellationToken cancellationToken)
    {
        using var producer = NewProducer(job.Acks);
        var message = new Message<Null, byte[]> { Value = job.NewValue() };
        var partition = job.Partitions == 1 ? new Partition(0) : Partition.Any;
        var target = new TopicPartition(job.Topic, partition);
        var clock = Stopwatch.StartNew();
        if (job.Mode == ProduceMode.Acknowledged)
        {
            var window = new InFlightWindow(job.Window);
            for (var i = 0L; i < job.Records; i++)
            {
                await window.AcquireAsync(cancellationToken).ConfigureAwait(false);
                window.Track(producer.ProduceAsync(target, message, cancellationToken));
            }

            await window.DrainAsync(cancellationToken).ConfigureAwait(false);
            return clock.Elapsed;
        }

        await Task.Run(() => ProduceWithHandler(producer, target, message, job.Records, cancellationToken), cancellationToken).ConfigureAwait(false);
        return clock.Elapsed;
    }

    private static void ProduceWithHandler(IProducer<Null, byte[]> producer, TopicPartition target, Message<Null, byte[]> message, long records, CancellationToken cancellationToken)
    {
        long done = 0;
        string? firstError = null;
        void OnDelivery(DeliveryReport<Null, byte[]> report)
        {
            if (report.Error.IsError)
            {
                Interlocked.CompareExchange(ref firstError, report.Error.Reason, null);
            }

            Interlocked.Increment(ref done);
        }

        for (var i = 0L; i < records; i++)
        {
            while (true)
            {
                try
                {
                    producer.Produce(target, message, OnDelivery);
                    break;
                }
                catch (ProduceException<Null, byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    // librdkafka's queue (queue.buffering.max.messages) is full: its poll thread drains it.
                    cancellationToken.ThrowIfCancellationRequested();
                    Thread.Sleep(1);
                }
            }
        }

        producer.Flush(cancellationToken);
        // Flush returns once the queue is empty; the last delivery reports may still be running on the poll thread.
        SpinWait.SpinUntil(() => Interlocked.Read(ref done) >= records, TimeSpan.FromSeconds(30));
        if (firstError is not null || Interlocked.Read(ref done) < records)
        {
            throw new InvalidOperationException($"{Interlocked.Read(ref done)} of {records} delivered; first error: {firstError}");
        }
    }

    private IConsumer<Ignore, byte[]> NewConsumer(bool latency = false, string? group = null) =>
        new ConsumerBuilder<Ignore, byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = group ?? $"actorstream-bench-{Guid.NewGuid():N}",
            EnableAutoCommit = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            // librdkafka waits up to 500 ms for fetch.min.bytes (1) by default; a latency run tails the log.
            FetchWaitMaxMs = latency ? 100 : null,
        })
        .SetErrorHandler((_, error) => Console.Error.WriteLine($"rdkafka error {error.Code}: {error.Reason}"))
        .Build();

    public Task<TimeSpan> ConsumeAsync(ConsumeJob job, CancellationToken cancellationToken) =>
        Task.Run(
            () =>
            {
                using var consumer = NewConsumer();
                var clock = Stopwatch.StartNew();
                consumer.Assign(Enumerable.Range(0, job.Partitions).Select(p => new TopicPartitionOffset(job.Topic, p, Offset.Beginning)));
                ConsumeUntil(consumer, job.Records, clock, cancellationToken);
                var elapsed = clock.Elapsed;
                consumer.Close();
                return elapsed;
            },
            cancellationToken);

    public async Task<TimeSpan> ConsumeInGroupsAsync(ConsumeJob job, int groups, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, groups).Select(g => Task.Factory.StartNew(
            () =>
            {
                using var consumer = NewConsumer(group: $"bench-{job.Topic}-{g}");
                consumer.Subscribe(job.Topic);
                ConsumeUntil(consumer, job.Records, clock, cancellationToken);
                consumer.Close();
            },
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default))).ConfigureAwait(false);
        return clock.Elapsed;
    }

    private static void ConsumeUntil(IConsumer<Ignore, byte[]> consumer, long records, Stopwatch clock, CancellationToken cancellationToken)
    {
        long count = 0;
        var lastRecord = clock.Elapsed;
        while (count < records)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { IsPartitionEOF: false })
            {
                count++;
                lastRecord = clock.Elapsed;
            }
            else if (clock.Elapsed - lastRecord > ConsumeJob.Idle)
            {
                throw new TimeoutException($"consumed {count} of {records} records");
            }

            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    public async Task<TimeSpan> LatencyAsync(LatencyJob job, LatencyRecorder recorder, CancellationToken cancellationToken)
    {
        using var producer = NewProducer(job.Acks, latency: true);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tail = Task.Factory.StartNew(
            () =>
            {
                using var consumer = NewConsumer(latency: true);
                consumer.Assign(new TopicPartitionOffset(job.Topic, 0, Offset.Beginning));
                while (!stop.IsCancellationRequested)
                {
                    if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { IsPartitionEOF: false } result)
                    {
                        recorder.Receive(result.Message.Value);
                    }
                }

                consumer.Close();
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        var target = new TopicPartition(job.Topic, new Partition(0));
        var clock = Stopwatch.StartNew();
        try
        {
            await PacedSends.RunAsync(job, value => producer.ProduceAsync(target, new Message<Null, byte[]> { Value = value }, cancellationToken), cancellationToken).ConfigureAwait(false);
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
