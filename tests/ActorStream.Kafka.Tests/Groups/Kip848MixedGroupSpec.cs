using ActorStream.Kafka.Tests.Support;
using Confluent.Kafka;
using NativeConsumer = ActorStream.Client.Consumer.Consumer<string?, string?>;
using NativeConsumerConfig = ActorStream.Client.Config.ConsumerConfig;
using NativeDeserializers = ActorStream.Client.Serialization.Deserializers;
using NativeOffsetReset = ActorStream.Client.Config.AutoOffsetReset;

namespace ActorStream.Kafka.Tests.Groups;

/// <summary>
/// A native ActorStream.Client consumer and a Confluent.Kafka consumer with <c>group.protocol=consumer</c> in the SAME
/// group: both are members of the coordinator's server-side assignment, so they share the partitions.
/// </summary>
[Collection(Kip848NodeCollection.Name)]
public sealed class Kip848MixedGroupSpec(Kip848Node node, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_native_consumer_and_a_KIP_848_consumer_share_one_group_s_partitions()
    {
        var topic = await node.CreateTopicAsync("kip848-mixed", 6);
        var group = "kip848-mixed-" + Guid.NewGuid().ToString("N");
        await using var native = new NativeConsumer(
            new NativeConsumerConfig
            {
                BootstrapServers = node.NativeBootstrap,
                GroupId = group,
                // KIP-848's default server assignor "uniform" is the coordinator's cooperative-sticky: one group, one assignor.
                PartitionAssignmentStrategy = "cooperative-sticky",
                SessionTimeoutMs = 6000,
                HeartbeatIntervalMs = 500,
                AutoOffsetReset = NativeOffsetReset.Earliest,
                EnableAutoCommit = false,
            },
            NativeDeserializers.Utf8,
            NativeDeserializers.Utf8);
        using var kafka = KafkaClients.Consumer<string, string>(
            new ConsumerConfig
            {
                BootstrapServers = node.KafkaBootstrap,
                GroupId = group,
                GroupProtocol = GroupProtocol.Consumer,
                AutoOffsetReset = AutoOffsetReset.Earliest,
                EnableAutoCommit = false,
                BrokerAddressFamily = BrokerAddressFamily.V4,
                Debug = Environment.GetEnvironmentVariable("ACTORSTREAM_KAFKA_DEBUG"),
            },
            output);
        native.Subscribe([topic]);
        kafka.Subscribe(topic);

        var nativeRead = new List<string?>();
        var kafkaRead = new List<ConsumeResult<string, string>>();
        async Task PollUntilAsync(Func<bool> done, string what)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (!done())
            {
                Assert.True(clock.Elapsed < Timeout, $"Timed out waiting for {what}; native holds {Held(native)}, Confluent holds {Held(kafka)}");
                nativeRead.AddRange((await native.PollAsync(TimeSpan.FromMilliseconds(100))).Select(r => r.Value));
                if (kafka.Consume(TimeSpan.FromMilliseconds(100)) is { IsPartitionEOF: false } result)
                {
                    kafkaRead.Add(result);
                }
            }
        }

        bool Shared()
        {
            var a = native.Assignment.Select(tp => tp.Partition).ToHashSet();
            var b = kafka.Assignment.Select(tp => tp.Partition.Value).ToHashSet();
            return a.Count > 0 && b.Count > 0 && !a.Overlaps(b) && a.Union(b).ToHashSet().SetEquals(Enumerable.Range(0, 6));
        }

        await PollUntilAsync(Shared, "the two consumers to share the 6 partitions, none held twice");

        using (var producer = KafkaClients.Producer<string, string>(KafkaClients.ProducerConfig(node.KafkaBootstrap), output))
        {
            await Task.WhenAll(Enumerable.Range(0, 60).Select(i =>
                producer.ProduceAsync(new TopicPartition(topic, i % 6), new Message<string, string> { Key = $"k{i}", Value = $"v{i}" }))).WaitAsync(KafkaClients.Timeout);
        }

        await PollUntilAsync(() => nativeRead.Count + kafkaRead.Count >= 60, "60 records");
        Assert.True(Shared(), $"the assignment moved: native {Held(native)}, Confluent {Held(kafka)}");
        Assert.NotEmpty(nativeRead);
        Assert.NotEmpty(kafkaRead);
        Assert.Equal(Enumerable.Range(0, 60).Select(i => $"v{i}").Order(), nativeRead.Concat(kafkaRead.Select(r => (string?)r.Message.Value)).Order());
        kafka.Close();
    }

    private static string Held(NativeConsumer consumer) => string.Join(",", consumer.Assignment.Select(tp => tp.Partition).Order());

    private static string Held(IConsumer<string, string> consumer) => string.Join(",", consumer.Assignment.Select(tp => tp.Partition.Value).Order());
}
