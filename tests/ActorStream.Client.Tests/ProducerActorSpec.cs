using ActorStream.Client.Config;
using ActorStream.Client.Producer;
using ActorStream.Client.Tests.Support;
using ActorStream.Protocol;

namespace ActorStream.Client.Tests;

[Collection(BrokerCollection.Name)]
public class ProducerActorSpec(BrokerFixture broker) : Akka.TestKit.Xunit2.TestKit
{
    [Fact]
    public async Task An_actor_must_get_a_delivery_report_for_each_record_it_tells()
    {
        var topic = await broker.CreateTopicAsync("actor", 2);
        await using var producer = new Producer<string, string>(new ProducerConfig { BootstrapServers = broker.Bootstrap });
        await producer.ConnectedTask;
        var probe = CreateTestProbe();

        for (var i = 0; i < 10; i++)
        {
            producer.ActorRef.Tell(new ProduceRecord<string, string>(topic, $"k{i}", $"v{i}") { CorrelationId = i }, probe.Ref);
        }

        var reports = new List<DeliveryReport>();
        for (var i = 0; i < 10; i++)
        {
            reports.Add(await probe.ExpectMsgAsync<DeliveryReport>(TimeSpan.FromSeconds(30)));
        }

        Assert.All(reports, r => Assert.True(r.IsSuccess, r.Error?.Message));
        Assert.Equal(Enumerable.Range(0, 10).Cast<object>().ToHashSet(), reports.Select(r => r.CorrelationId!).ToHashSet());
        Assert.Equal(10, reports.Select(r => (r.Metadata!.Partition, r.Metadata.Offset)).Distinct().Count());

        producer.ActorRef.Tell(new ProduceRecord<string, string>(topic, "k", "v") { Partition = 9, CorrelationId = "bad" }, probe.Ref);
        var failed = await probe.ExpectMsgAsync<DeliveryReport>(TimeSpan.FromSeconds(30));
        Assert.Equal("bad", failed.CorrelationId);
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, Assert.IsType<ActorStreamException>(failed.Error).ErrorCode);
    }
}
