using System.Text.Json;

namespace ActorStream.Kafka.Generator;

/// <summary>One field of Kafka's message schema language (apache/kafka clients/src/main/resources/common/message/README.md).</summary>
internal sealed record FieldSpec(
    string Name,
    string Type,
    Versions Versions,
    Versions NullableVersions,
    Versions TaggedVersions,
    int? Tag,
    Versions? FlexibleVersions,
    string? Default,
    bool Ignorable,
    string? About,
    IReadOnlyList<FieldSpec>? Fields)
{
    public bool IsArray => Type.StartsWith("[]", StringComparison.Ordinal);

    public string ElementType => IsArray ? Type[2..] : Type;

    public bool IsNullable => !NullableVersions.IsEmpty;

    public bool IsTagged => Tag is not null;

    /// <summary>
    /// The versions in which the field is a regular (positional) field: its versions less its tagged versions, which
    /// Kafka requires to be an open-ended subset of them ("3+" of "0+" leaves 0-2).
    /// </summary>
    public Versions MandatoryVersions => IsTagged
        ? TaggedVersions.IsEmpty ? Versions : new Versions(Versions.Lowest, (short)(TaggedVersions.Lowest - 1))
        : Versions;
}

/// <summary>A named struct: the message itself, an inline struct type, or a common struct.</summary>
internal sealed record StructSpec(string Name, IReadOnlyList<FieldSpec> Fields, Versions Versions);

/// <summary>One JSON schema file: a request, a response, a header or a data record.</summary>
internal sealed record MessageSpec(
    string Name,
    string Type,
    short? ApiKey,
    Versions ValidVersions,
    Versions FlexibleVersions,
    IReadOnlyList<FieldSpec> Fields,
    IReadOnlyList<StructSpec> CommonStructs)
{
    /// <summary>
    /// Messages whose newest version is marked unstable at the schemas' commit but is final in a released Kafka: the
    /// newest version is served. ConsumerGroupHeartbeat v1 (SubscribedTopicRegex, KIP-848) is final in Kafka 4.0, and
    /// librdkafka 2.12+ sends only v1.
    /// </summary>
    private static readonly Dictionary<string, string> FinalSince = new(StringComparer.Ordinal)
    {
        ["ConsumerGroupHeartbeatRequest"] = "Kafka 4.0",
    };

    private static readonly JsonDocumentOptions Options = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    public static MessageSpec Load(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path), Options);
        var root = document.RootElement;
        var valid = Versions.Parse(root.GetProperty("validVersions").GetString(), Versions.None);
        var name = root.GetProperty("name").GetString()!;
        if (root.TryGetProperty("latestVersionUnstable", out var unstable) && unstable.GetBoolean() && !FinalSince.ContainsKey(name))
        {
            // The newest version was not final at the schemas' commit: serve only the stable ones.
            valid = valid with { Highest = (short)(valid.Highest - 1) };
        }

        var common = root.TryGetProperty("commonStructs", out var structs)
            ? structs.EnumerateArray().Select(s => new StructSpec(
                s.GetProperty("name").GetString()!,
                ParseFields(s.GetProperty("fields")),
                Versions.Parse(s.TryGetProperty("versions", out var v) ? v.GetString() : null, new Versions(0, short.MaxValue)))).ToList()
            : [];
        return new MessageSpec(
            root.GetProperty("name").GetString()!,
            root.GetProperty("type").GetString()!,
            root.TryGetProperty("apiKey", out var key) ? key.GetInt16() : null,
            valid,
            Versions.Parse(root.TryGetProperty("flexibleVersions", out var flexible) ? flexible.GetString() : null, Versions.None),
            ParseFields(root.GetProperty("fields")),
            common);
    }

    private static List<FieldSpec> ParseFields(JsonElement fields) =>
        fields.EnumerateArray().Select(ParseField).ToList();

    private static FieldSpec ParseField(JsonElement field)
    {
        string? Text(string name) => field.TryGetProperty(name, out var value)
            ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText()
            : null;

        // As Kafka's FieldSpec: a tagged field without "versions" has its taggedVersions as versions.
        var taggedVersions = Versions.Parse(Text("taggedVersions"), Versions.None);
        var versions = Versions.Parse(Text("versions"), taggedVersions);
        var name = Text("name")!;
        return new FieldSpec(
            // A few schemas keep Java's lower camel case (CreateTopicsRequest's timeoutMs): properties are PascalCase.
            char.ToUpperInvariant(name[0]) + name[1..],
            Text("type")!,
            versions,
            Versions.Parse(Text("nullableVersions"), Versions.None),
            taggedVersions,
            field.TryGetProperty("tag", out var tag) ? tag.GetInt32() : null,
            Text("flexibleVersions") is { } flexible ? Versions.Parse(flexible, Versions.None) : null,
            Text("default"),
            field.TryGetProperty("ignorable", out var ignorable) && ignorable.GetBoolean(),
            Text("about"),
            field.TryGetProperty("fields", out var nested) ? ParseFields(nested) : null);
    }
}
