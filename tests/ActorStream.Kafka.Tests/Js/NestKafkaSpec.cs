using System.Text.Json;
using ActorStream.Kafka.Tests.Support;

namespace ActorStream.Kafka.Tests.Js;

/// <summary>
/// NestJS 12's Kafka transport (<c>@nestjs/microservices</c> on kafkajs 2.2.4), unchanged, as a NestJS user writes it:
/// <c>js/nest-service.js</c> is a microservice (<c>Transport.KAFKA</c>) whose controller has an <c>@EventPattern</c>
/// and a <c>@MessagePattern</c> handler; <c>js/nest-client.js</c> an application with a <c>ClientKafka</c> from
/// <c>ClientsModule.register</c>. No topic is created beforehand: the clients' Metadata requests create them
/// (auto.create.topics.enable), the reply topic included.
/// </summary>
[Collection(JsKafkaNodeCollection.Name)]
public sealed class NestKafkaSpec(JsKafkaNode node, ITestOutputHelper output)
{
    [Fact]
    public async Task An_EventPattern_handler_must_receive_every_event_a_ClientKafka_emits()
    {
        var (eventTopic, requestTopic, group) = Names();
        await using var service = await StartServiceAsync(eventTopic, requestTopic, group);
        var orders = Orders(3);
        var result = await JsScript.RunAsync("nest-client.js", new { node.Brokers, eventTopic, requestTopic, groupId = KafkaNode.UniqueTopic("shop"), events = orders }, output);
        Assert.Empty(result.GetProperty("replies").EnumerateArray());

        var events = await ReceivedAsync(service, orders.Length);
        Assert.Equal(orders.Select(o => o.Id), events.Select(e => e.GetProperty("order").GetProperty("id").GetString()));
        Assert.Equal(orders.Select(o => o.Total), events.Select(e => e.GetProperty("order").GetProperty("total").GetInt32()));
        Assert.Equal(orders.Select(o => o.Id), events.Select(e => e.GetProperty("key").GetString()));
        Assert.All(events, e => Assert.Equal(eventTopic, e.GetProperty("topic").GetString()));
        await service.StopAsync(output);
    }

    [Fact]
    public async Task A_MessagePattern_request_must_be_answered_over_the_reply_topic()
    {
        var (eventTopic, requestTopic, group) = Names();
        await using var service = await StartServiceAsync(eventTopic, requestTopic, group);
        int[][] requests = [[1, 2, 3], [10, 20], [-5, 5, 100]];
        var result = await JsScript.RunAsync("nest-client.js", new { node.Brokers, eventTopic, requestTopic, groupId = KafkaNode.UniqueTopic("shop"), requests }, output);

        Assert.Equal([(6, 3), (30, 2), (100, 3)], result.GetProperty("replies").EnumerateArray().Select(r => (r.GetProperty("sum").GetInt32(), r.GetProperty("count").GetInt32())));
        Assert.Equal(requests.Length, service.EventsNamed("request").Count);
        await service.StopAsync(output);

        var topics = (await JsAdmin.RunAsync(node, output, new { op = "listTopics" }))[0].EnumerateArray().Select(t => t.GetString()).ToList();
        Assert.Contains(requestTopic, topics);
        Assert.Contains(requestTopic + ".reply", topics);
        Assert.Contains(eventTopic, topics);
    }

    [Fact]
    public async Task A_producer_only_ClientKafka_must_emit_events_without_joining_a_group()
    {
        var (eventTopic, requestTopic, group) = Names();
        await using var service = await StartServiceAsync(eventTopic, requestTopic, group);
        var clientGroup = KafkaNode.UniqueTopic("shop");
        var orders = Orders(4);
        await JsScript.RunAsync("nest-client.js", new { node.Brokers, eventTopic, requestTopic, groupId = clientGroup, producerOnlyMode = true, events = orders }, output);

        var events = await ReceivedAsync(service, orders.Length);
        Assert.Equal(orders.Select(o => o.Id), events.Select(e => e.GetProperty("order").GetProperty("id").GetString()));
        var groups = (await JsAdmin.RunAsync(node, output, new { op = "listGroups" }))[0].GetProperty("groups").EnumerateArray().Select(g => g.GetProperty("groupId").GetString()).ToList();
        Assert.Contains(group + "-server", groups);
        Assert.DoesNotContain(clientGroup + "-client", groups);
        await service.StopAsync(output);
    }

    private sealed record Order(string Id, int Total);

    private static Order[] Orders(int count) => [.. Enumerable.Range(0, count).Select(i => new Order($"order-{i}-{Guid.NewGuid():N}", 10 * i + 1))];

    private static (string EventTopic, string RequestTopic, string Group) Names() =>
        (KafkaNode.UniqueTopic("orders.created"), KafkaNode.UniqueTopic("math.sum"), KafkaNode.UniqueTopic("orders"));

    private async Task<JsScript> StartServiceAsync(string eventTopic, string requestTopic, string groupId)
    {
        var service = JsScript.Start("nest-service.js", new { node.Brokers, eventTopic, requestTopic, groupId });
        try
        {
            await service.WaitForEventAsync("listening", _ => true, "the microservice listening");
            return service;
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }
    }

    private static async Task<IReadOnlyList<JsonElement>> ReceivedAsync(JsScript service, int count)
    {
        await service.WaitForAsync(events => events.Count(e => e.GetProperty("event").GetString() == "event") >= count ? true : (bool?)null, $"{count} events handled");
        return [.. service.EventsNamed("event").OrderBy(e => e.GetProperty("partition").GetInt32()).ThenBy(e => e.GetProperty("offset").GetInt32())];
    }
}
