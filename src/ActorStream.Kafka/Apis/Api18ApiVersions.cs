using System.Buffers;
using System.Text.RegularExpressions;
using ActorStream.Kafka.Messages;
using ActorStream.Kafka.Protocol;

namespace ActorStream.Kafka.Apis;

/// <summary>
/// ApiVersions: v0-3 (v3 flexible; the schema's v4 is not served).
/// <para>
/// Behavior: advertises exactly <see cref="KafkaApis.All"/> (key, min, max). The response header is always v0 (a client
/// reads it before it knows what the broker speaks). KIP-511: any version is accepted; one above 3 (or below 0) is
/// answered, without reading its body, with a v0 body holding UNSUPPORTED_VERSION (35) and the supported ranges, from
/// which librdkafka, the Java client and kafkajs pick a version and ask again. A v3 request whose client software name
/// or version is not Kafka's <c>[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?</c> gets INVALID_REQUEST (42), as Kafka.
/// No features are supported or finalized (the v3 feature fields stay empty, epoch -1); throttle time is always 0.
/// </para>
/// </summary>
internal sealed partial class Api18ApiVersions : KafkaApi
{
    private const short UnsupportedVersion = 35;
    private const short InvalidRequest = 42;
    private const short FirstFlexibleVersion = 3;

    public override short Key => ApiVersionsRequest.ApiKey;

    public override short MinVersion => 0;

    public override short MaxVersion => 3;

    public override string Notes => "KIP-511: any other version gets a v0 body with UNSUPPORTED_VERSION and the supported ranges";

    public override bool Accepts(short version) => true;

    public override short RequestHeaderVersion(short version) => RequestHeader.VersionFor(version >= FirstFlexibleVersion);

    public override short ResponseHeaderVersion(short version) => 0;

    public override ValueTask<bool> HandleAsync(KafkaRequestContext context, ReadOnlyMemory<byte> body, IBufferWriter<byte> output, CancellationToken cancellationToken)
    {
        var version = context.Header.ApiVersion;
        var served = version >= MinVersion && version <= MaxVersion;
        var response = new ApiVersionsResponse { ErrorCode = served ? (short)0 : UnsupportedVersion };
        if (served)
        {
            var reader = new KafkaReader(body);
            var request = ApiVersionsRequest.Read(ref reader, version);
            if (version >= FirstFlexibleVersion && !(IsValidSoftware(request.ClientSoftwareName) && IsValidSoftware(request.ClientSoftwareVersion)))
            {
                response.ErrorCode = InvalidRequest;
            }
        }

        response.ApiKeys.AddRange(KafkaApis.All.OrderBy(a => a.Key).Select(a => new ApiVersionsResponse.ApiVersion
        {
            ApiKey = a.Key,
            MinVersion = a.MinVersion,
            MaxVersion = a.MaxVersion,
        }));

        var writer = new KafkaWriter(output);
        ResponseHeader.Write(ref writer, context.Header.CorrelationId, 0);
        response.Write(ref writer, served ? version : (short)0);
        return ValueTask.FromResult(true);
    }

    /// <summary>Kafka's <c>ApiVersionsRequest.isValid</c> rule for the v3 client software name and version.</summary>
    private static bool IsValidSoftware(string value) => SoftwarePattern().IsMatch(value);

    [GeneratedRegex(@"^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex SoftwarePattern();
}
