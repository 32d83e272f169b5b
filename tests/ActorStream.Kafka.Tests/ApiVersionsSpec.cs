using System.Buffers;
using ActorStream.Kafka.Apis;
using ActorStream.Kafka.Messages;
using ActorStream.Kafka.Protocol;
using ActorStream.Kafka.Tests.Support;

namespace ActorStream.Kafka.Tests;

/// <summary>ApiVersions over a raw socket: every served version, the handler list it advertises, and KIP-511's fallback.</summary>
public sealed class ApiVersionsSpec : IAsyncLifetime
{
    private ListenerHarness _harness = null!;

    public Task InitializeAsync()
    {
        _harness = ListenerHarness.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    private static byte[] Body(ApiVersionsRequest request, short version)
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new KafkaWriter(output);
        request.Write(ref writer, version);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Sends one ApiVersions request as a client of that version would and reads the answer in <paramref name="responseVersion"/>.</summary>
    private async Task<ApiVersionsResponse> AskAsync(RawKafkaClient client, short version, int correlationId, short responseVersion, ApiVersionsRequest? request = null)
    {
        var bodyVersion = Math.Min(version, ApiVersionsRequest.HighestVersion);
        var body = Body(request ?? new ApiVersionsRequest { ClientSoftwareName = "raw-client", ClientSoftwareVersion = "1.0" }, (short)Math.Max((short)0, bodyVersion));
        await client.SendRequestAsync(ApiVersionsRequest.ApiKey, version, correlationId, body, headerVersion: RequestHeader.VersionFor(version >= 3));
        var frame = await client.ReadFrameAsync();
        Assert.NotNull(frame);
        var reader = new KafkaReader(frame);
        // Always response header v0, even for the flexible v3.
        Assert.Equal(correlationId, ResponseHeader.Read(ref reader, 0));
        var response = ApiVersionsResponse.Read(ref reader, responseVersion);
        Assert.Equal(0, reader.Remaining);
        return response;
    }

    private static void AssertAdvertisesTheHandlerList(ApiVersionsResponse response)
    {
        var expected = KafkaApis.All.OrderBy(a => a.Key).Select(a => (a.Key, a.MinVersion, a.MaxVersion));
        Assert.Equal(expected, response.ApiKeys.Select(k => (k.ApiKey, k.MinVersion, k.MaxVersion)));
        Assert.Contains(response.ApiKeys, k => k is { ApiKey: 18, MinVersion: 0, MaxVersion: 3 });
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Every_served_version_must_advertise_exactly_the_handler_list(short version)
    {
        await using var client = await RawKafkaClient.ConnectAsync(_harness.Port);

        var response = await AskAsync(client, version, 100 + version, version);

        Assert.Equal(0, response.ErrorCode);
        Assert.Equal(0, response.ThrottleTimeMs);
        AssertAdvertisesTheHandlerList(response);
        if (version == 3)
        {
            Assert.Empty(response.SupportedFeatures);
            Assert.Empty(response.FinalizedFeatures);
            Assert.Equal(-1, response.FinalizedFeaturesEpoch);
        }
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(short.MaxValue)]
    public async Task A_newer_version_must_get_UNSUPPORTED_VERSION_in_a_v0_body_with_the_ranges_KIP_511(short version)
    {
        await using var client = await RawKafkaClient.ConnectAsync(_harness.Port);

        var response = await AskAsync(client, version, 7, responseVersion: 0);

        Assert.Equal(35, response.ErrorCode);
        AssertAdvertisesTheHandlerList(response);

        // The client falls back on the same connection, as librdkafka does.
        var retry = await AskAsync(client, 3, 8, 3);
        Assert.Equal(0, retry.ErrorCode);
    }

    [Fact]
    public async Task A_v3_request_with_an_invalid_client_software_name_must_get_INVALID_REQUEST()
    {
        await using var client = await RawKafkaClient.ConnectAsync(_harness.Port);

        var response = await AskAsync(client, 3, 1, 3, new ApiVersionsRequest { ClientSoftwareName = "-bad name", ClientSoftwareVersion = "1.0" });

        Assert.Equal(42, response.ErrorCode);
    }

    [Fact]
    public async Task Pipelined_requests_of_several_versions_must_be_answered_in_order()
    {
        await using var client = await RawKafkaClient.ConnectAsync(_harness.Port);
        var frames = new List<byte>();
        for (short v = 0; v <= 3; v++)
        {
            frames.AddRange(RawKafkaClient.Request(18, v, 50 + v, Body(new ApiVersionsRequest { ClientSoftwareName = "c", ClientSoftwareVersion = "1" }, v), headerVersion: RequestHeader.VersionFor(v >= 3)));
        }

        await client.SendAsync(frames.ToArray());

        for (short v = 0; v <= 3; v++)
        {
            var frame = (await client.ReadFrameAsync())!;
            var reader = new KafkaReader(frame);
            Assert.Equal(50 + v, ResponseHeader.Read(ref reader, 0));
            Assert.Equal(0, ApiVersionsResponse.Read(ref reader, v).ErrorCode);
        }
    }
}
