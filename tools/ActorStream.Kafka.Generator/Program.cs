using ActorStream.Kafka.Generator;

// Regenerates src/ActorStream.Kafka/Messages/Generated from Kafka's JSON schemas:
//   dotnet run --project tools/ActorStream.Kafka.Generator [-- SCHEMA_DIR]
// SCHEMA_DIR defaults to ../shared/kafka-message-schemas beside the repository. The APIs generated are those listed in
// src/ActorStream.Kafka/Messages/served-apis.txt.
var root = RepositoryPaths.FindRoot(AppContext.BaseDirectory) ?? RepositoryPaths.FindRoot(Directory.GetCurrentDirectory())
    ?? throw new InvalidOperationException("Run from inside the ActorStream repository");
var schemas = args.Length > 0 ? Path.GetFullPath(args[0]) : RepositoryPaths.DefaultSchemaDirectory(root);
if (!Directory.Exists(schemas))
{
    Console.Error.WriteLine($"error: no schema directory {schemas}");
    return 2;
}

var output = RepositoryPaths.GeneratedDirectory(root);
var files = CodecGenerator.Generate(schemas, CodecGenerator.ReadApiList(RepositoryPaths.ApiListFile(root)));
Directory.CreateDirectory(output);
foreach (var stale in Directory.GetFiles(output).Where(f => !files.ContainsKey(Path.GetFileName(f))))
{
    File.Delete(stale);
}

foreach (var (name, content) in files)
{
    File.WriteAllText(Path.Combine(output, name), content);
}

Console.WriteLine($"Wrote {files.Count} files to {output}");
return 0;
