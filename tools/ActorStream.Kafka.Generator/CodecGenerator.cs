namespace ActorStream.Kafka.Generator;

/// <summary>
/// Generates the codecs of the served APIs: for every API named in the list, its request and response schema become
/// one <c>*.g.cs</c> file each. Kafka's NOTICE goes beside them (the generated code is derived from Kafka's schemas).
/// </summary>
internal static class CodecGenerator
{
    public const string NoticeFileName = "NOTICE";

    /// <summary>
    /// File name → content of every file the generated folder must hold. A name is an API (its <c>NameRequest.json</c> and
    /// <c>NameResponse.json</c>) or a data schema (<c>Name.json</c> of type "data", such as ConsumerProtocolSubscription).
    /// </summary>
    public static SortedDictionary<string, string> Generate(string schemaDirectory, IEnumerable<string> names)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            foreach (var path in SchemaFiles(schemaDirectory, name))
            {
                var spec = MessageSpec.Load(path);
                files[spec.Name + ".g.cs"] = new MessageEmitter(spec).Emit();
            }
        }

        files[NoticeFileName] = File.ReadAllText(Path.Combine(schemaDirectory, NoticeFileName)).ReplaceLineEndings("\n");
        return files;
    }

    private static IEnumerable<string> SchemaFiles(string schemaDirectory, string name)
    {
        var request = Path.Combine(schemaDirectory, name + "Request.json");
        var data = Path.Combine(schemaDirectory, name + ".json");
        if (File.Exists(request))
        {
            var response = Path.Combine(schemaDirectory, name + "Response.json");
            if (!File.Exists(response))
            {
                throw new FileNotFoundException($"No schema {name}Response.json in {schemaDirectory}", response);
            }

            return [request, response];
        }

        if (File.Exists(data))
        {
            var type = MessageSpec.Load(data).Type;
            if (type != "data")
            {
                throw new InvalidOperationException($"{name}.json is a {type} schema: list its API name (without Request/Response) instead");
            }

            return [data];
        }

        throw new FileNotFoundException($"No schema {name}Request.json or {name}.json in {schemaDirectory}", request);
    }

    /// <summary>The API and data schema names of a list file: one per line, '#' starts a comment.</summary>
    public static IReadOnlyList<string> ReadApiList(string path) =>
        File.ReadAllLines(path)
            .Select(line => line.Split('#')[0].Trim())
            .Where(line => line.Length > 0)
            .ToList();
}
