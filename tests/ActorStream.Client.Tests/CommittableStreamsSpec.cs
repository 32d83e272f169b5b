using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using ActorStream.Client.Admin;
using ActorStream.Client.Config;
using ActorStream.Client.Consumer;
using ActorStream.Client.Producer;
using ActorStream.Client.Streams;
using ActorStream.Client.Tests.Support;
using ActorStream.Protocol;
using ActorStream.TestKit;

namespace ActorStream.Client.Tests;

/// <summary>Committable source and committer stages against a real node: commits, resume, batching, refused commits.</summary>
[Collection(BrokerCollection.Name)]
public sealed class CommittableStreamsSpec(BrokerFixture broker) : IAsyncLifetime
{
    private readonly ActorSystem _system = ActorSystem.Create("committable-streams-spec");

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _system.Terminate();

    private IMaterializer Materializer => _system.Materializer();

    private static string UniqueGroup() => "cs-" + Guid.NewGuid().ToString("N")[..12];

    private ConsumerConfig GroupConfig(string group) => Clients.Consumer(broker.Bootstrap) with
    {
        GroupId = group,
        HeartbeatIntervalMs = 200,
        SessionTimeoutMs = 10_000,
        MaxPollRecords = 25,
    };

    private async Task ProduceAsync(string topic, int count, int partitions)
    {
        await using var producer = new Producer<string, string>(new ProducerConfig { BootstrapServers = broker.Bootstrap });
        await Task.WhenAll(Enumerable.Range(0, count).Select(i => producer.ProduceAsync(topic, $"k{i}", $"v{i}", partition: i % partitions)));
    }

    private async Task<IReadOnlyDictionary<TopicPartition, long>> CommittedAsync(string group, string topic, int partitions)
    {
        await using var reader = new Consumer<string, string>(GroupConfig(group));
        return await reader.CommittedAsync(Partitions(topic, partitions));
    }

    private async Task<IReadOnlyDictionary<TopicPartition, long>> LogEndOffsetsAsync(string topic, int partitions)
    {
        await using var admin = new AdminClient(new AdminConfig { BootstrapServers = broker.Bootstrap });
        var ends = await admin.ListOffsetsAsync(Partitions(topic, partitions).ToDictionary(tp => tp, _ => OffsetSpec.Latest));
        return ends.ToDictionary(e => e.Key, e => e.Value.Offset);
    }

    private static List<TopicPartition> Partitions(string topic, int count) =>
        Enumerable.Range(0, count).Select(p => new TopicPartition(topic, p)).ToList();

    [Fact]
    public async Task A_source_into_the_committer_sink_must_commit_the_log_end_offsets_of_what_it_processed()
    {
        const int count = 300;
        var topic = await broker.CreateTopicAsync("cs-all", 3);
        var group = UniqueGroup();
        await ProduceAsync(topic, count, 3);

        var processed = new ConcurrentBag<string>();
        var (control, done) = ConsumerStreams.CommittableSource<string, string>(GroupConfig(group), [topic])
            .Select(message =>
            {
                processed.Add(message.Record.Value);
                return (ICommittable)message.CommittableOffset;
            })
            .ToMaterialized(Committer.Sink(CommitterSettings.Default with { MaxBatch = 40 }), Keep.Both)
            .Run(Materializer);
        await Eventually.TrueAsync(() => processed.Count >= count, Clients.Patience, $"{count} records processed");
        await control.DrainAndShutdown(done).WaitAsync(Clients.Patience);

        Assert.True(control.IsShutdown.IsCompletedSuccessfully);
        Assert.Equal(Enumerable.Range(0, count).Select(i => $"v{i}").Order(), processed.Order());
        var ends = await LogEndOffsetsAsync(topic, 3);
        Assert.Equal(count, ends.Values.Sum());
        Assert.Equal(ends.OrderBy(e => e.Key.Partition), (await CommittedAsync(group, topic, 3)).OrderBy(c => c.Key.Partition));
    }

    [Fact]
    public async Task A_second_pipeline_must_resume_from_what_the_first_committed_without_skipping_a_record()
    {
        const int count = 100;
        const int firstPart = 37;
        var topic = await broker.CreateTopicAsync("cs-resume", 2);
        var group = UniqueGroup();
        await ProduceAsync(topic, count, 2);
        var settings = CommitterSettings.Default with { MaxBatch = 7 };

        // Stops after firstPart records although more were polled: only what was processed is committed.
        var firstRecords = new ConcurrentQueue<ConsumeResult<string, string>>();
        var (firstControl, firstDone) = ConsumerStreams.CommittableSource<string, string>(GroupConfig(group), [topic])
            .Take(firstPart)
            .Select(message =>
            {
                firstRecords.Enqueue(message.Record);
                return (ICommittable)message.CommittableOffset;
            })
            .ToMaterialized(Committer.Sink(settings), Keep.Both)
            .Run(Materializer);
        await firstDone.WaitAsync(Clients.Patience);
        await firstControl.Shutdown().WaitAsync(Clients.Patience);

        Assert.Equal(firstPart, firstRecords.Count);
        var committed = await CommittedAsync(group, topic, 2);
        var nextPerPartition = firstRecords.GroupBy(r => r.TopicPartition).ToDictionary(g => g.Key, g => g.Max(r => r.Offset) + 1);
        Assert.Equal(nextPerPartition.OrderBy(n => n.Key.Partition), committed.OrderBy(c => c.Key.Partition));

        var secondRecords = new ConcurrentQueue<ConsumeResult<string, string>>();
        var (secondControl, secondDone) = ConsumerStreams.CommittableSource<string, string>(GroupConfig(group), [topic])
            .Take(count - firstPart)
            .Select(message =>
            {
                secondRecords.Enqueue(message.Record);
                return (ICommittable)message.CommittableOffset;
            })
            .ToMaterialized(Committer.Sink(settings), Keep.Both)
            .Run(Materializer);
        await secondDone.WaitAsync(Clients.Patience);
        await secondControl.Shutdown().WaitAsync(Clients.Patience);

        foreach (var partition in secondRecords.GroupBy(r => r.TopicPartition))
        {
            var resumeAt = committed.GetValueOrDefault(partition.Key, 0);
            Assert.Equal(resumeAt, partition.First().Offset);
            Assert.Equal(Enumerable.Range((int)resumeAt, partition.Count()).Select(o => (long)o), partition.Select(r => r.Offset));
        }

        var all = firstRecords.Concat(secondRecords).Select(r => r.Value).ToList();
        Assert.Equal(Enumerable.Range(0, count).Select(i => $"v{i}").Order(), all.Order());
        Assert.Equal((await LogEndOffsetsAsync(topic, 2)).OrderBy(e => e.Key.Partition), (await CommittedAsync(group, topic, 2)).OrderBy(c => c.Key.Partition));
    }

    [Fact]
    public async Task The_committer_must_commit_in_batches_of_at_most_max_batch_records()
    {
        const int count = 200;
        const int maxBatch = 30;
        var topic = await broker.CreateTopicAsync("cs-batch", 2);
        var group = UniqueGroup();
        await ProduceAsync(topic, count, 2);

        // A long interval: only MaxBatch and the upstream completion may trigger a commit.
        var settings = CommitterSettings.Default with { MaxBatch = maxBatch, MaxInterval = TimeSpan.FromMinutes(10) };
        var (control, batches) = ConsumerStreams.CommittableSource<string, string>(GroupConfig(group), [topic])
            .Take(count)
            .Select(message => (ICommittable)message.CommittableOffset)
            .Via(Committer.Flow(settings))
            .ToMaterialized(Sink.Seq<CommittableOffsetBatch>(), Keep.Both)
            .Run(Materializer);
        var committedBatches = await batches.WaitAsync(Clients.Patience);
        await control.Shutdown().WaitAsync(Clients.Patience);

        Assert.InRange(committedBatches.Count, 1, (count + maxBatch - 1) / maxBatch + 1);
        Assert.All(committedBatches, b => Assert.InRange(b.BatchSize, 1, maxBatch));
        Assert.Equal(count, committedBatches.Sum(b => b.BatchSize));
        Assert.Equal((await LogEndOffsetsAsync(topic, 2)).OrderBy(e => e.Key.Partition), (await CommittedAsync(group, topic, 2)).OrderBy(c => c.Key.Partition));
    }

    [Fact]
    public async Task The_batch_must_keep_the_highest_offset_per_partition()
    {
        var topic = await broker.CreateTopicAsync("cs-highest", 2);
        var group = UniqueGroup();
        await ProduceAsync(topic, 20, 2);

        var (control, batches) = ConsumerStreams.CommittableSource<string, string>(GroupConfig(group), [topic])
            .Take(20)
            .Select(message => (ICommittable)message.CommittableOffset)
            .Via(Committer.Flow(CommitterSettings.Default with { MaxBatch = 1000, MaxInterval = TimeSpan.FromMinutes(10) }))
            .ToMaterialized(Sink.Seq<CommittableOffsetBatch>(), Keep.Both)
            .Run(Materializer);
        var batch = Assert.Single(await batches.WaitAsync(Clients.Patience));
        await control.Shutdown().WaitAsync(Clients.Patience);

        Assert.Equal(20, batch.BatchSize);
        Assert.Equal(
            [new PartitionOffset(group, new TopicPartition(topic, 0), 10), new PartitionOffset(group, new TopicPartition(topic, 1), 10)],
            batch.Offsets.OrderBy(o => o.TopicPartition.Partition));
    }

    [Fact]
    public async Task A_refused_commit_must_fail_the_committer_sink_with_the_broker_error()
    {
        var topic = await broker.CreateTopicAsync("cs-refused", 1);
        var notOwned = await broker.CreateTopicAsync("cs-not-owned", 1);
        var group = UniqueGroup();
        await ProduceAsync(topic, 5, 1);
        var foreign = new TopicPartition(notOwned, 0);

        // The member holds only `topic`: the coordinator refuses a commit for a partition of another topic.
        var (control, done) = ConsumerStreams.CommittableSource<string, string>(GroupConfig(group), [topic])
            .Take(1)
            .Select(message => (ICommittable)new CommittableOffset(
                message.CommittableOffset.PartitionOffset with { TopicPartition = foreign },
                message.CommittableOffset.Committer))
            .ToMaterialized(Committer.Sink(CommitterSettings.Default), Keep.Both)
            .Run(Materializer);

        var error = await Assert.ThrowsAsync<ActorStreamException>(() => done.WaitAsync(Clients.Patience));
        await control.Shutdown().WaitAsync(Clients.Patience);
        Assert.Equal(ErrorCode.IllegalGeneration, error.ErrorCode);
        Assert.Equal(foreign, error.TopicPartition);
        Assert.DoesNotContain(foreign, (await CommittedAsync(group, notOwned, 1)).Keys);
    }

    [Fact]
    public async Task A_poll_error_must_fail_the_source_and_close_its_consumer_without_a_shutdown()
    {
        var topic = await broker.CreateTopicAsync("cs-poll-error", 1);
        var group = UniqueGroup();
        await ProduceAsync(topic, 3, 1);

        // No committed offset and auto.offset.reset=none: the poll that gets the assignment fails.
        var config = GroupConfig(group) with { AutoOffsetReset = AutoOffsetReset.None };
        var (control, records) = ConsumerStreams.CommittableSource<string, string>(config, [topic], stopTimeout: TimeSpan.FromHours(1))
            .ToMaterialized(Sink.Seq<CommittableMessage<string, string>>(), Keep.Both)
            .Run(Materializer);

        var error = await Assert.ThrowsAsync<ActorStreamException>(() => records.WaitAsync(Clients.Patience));
        Assert.Equal(ErrorCode.OffsetOutOfRange, error.ErrorCode);
        await control.IsShutdown.WaitAsync(Clients.Patience);
    }
}
