namespace ActorStream.Kafka.Generator;

/// <summary>
/// Generates the codecs of the served APIs: for every API named in the list, its request and response schema become
/// one <c>*.g.cs</c> file each. Kafka's NOTICE goes beside them (the generated code is derived from Kafka's schemas).
/// </summary>
internal static class CodecGenerator
{
    public const string NoticeFileName = "NOTICE";

    /// <summary>File name → content of every file the generated folder must hold.</summary>
    public static SortedDictionary<string, string> Generate(string schemaDirectory, IEnumerable<string> apiNames)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var api in apiNames)
        {
            foreach (var kind in new[] { "Request", "Response" })
            {
                var path = Path.Combine(schemaDirectory, api + kind + ".json");
                if (!File.Exists(path))
                {
                    throw new FileNotFoundException($"No schema {api}{kind}.json in {schemaDirectory}", path);
                }

                var spec = MessageSpec.Load(path);
                files[spec.Name + ".g.cs"] = new MessageEmitter(spec).Emit();
            }
        }

        files[NoticeFileName] = File.ReadAllText(Path.Combine(schemaDirectory, NoticeFileName)).ReplaceLineEndings("\n");
        return files;
    }

    /// <summary>The API names of a list file: one per line, '#' starts a comment.</summary>
    public static IReadOnlyList<string> ReadApiList(string path) =>
        File.ReadAllLines(path)
            .Select(line => line.Split('#')[0].Trim())
            .Where(line => line.Length > 0)
            .ToList();
}
