namespace ActorStream.Kafka.Generator;

/// <summary>Where the generator reads and writes, relative to the repository root (the folder of ActorStream.sln).</summary>
internal static class RepositoryPaths
{
    public static string? FindRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ActorStream.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    /// <summary>Kafka's schemas: <c>ACTORSTREAM_KAFKA_SCHEMAS</c>, else <c>../shared/kafka-message-schemas</c> beside the repository.</summary>
    public static string DefaultSchemaDirectory(string root) =>
        Environment.GetEnvironmentVariable("ACTORSTREAM_KAFKA_SCHEMAS") is { Length: > 0 } configured
            ? Path.GetFullPath(configured)
            : Path.GetFullPath(Path.Combine(root, "..", "shared", "kafka-message-schemas"));

    public static string GeneratedDirectory(string root) => Path.Combine(root, "src", "ActorStream.Kafka", "Messages", "Generated");

    public static string ApiListFile(string root) => Path.Combine(root, "src", "ActorStream.Kafka", "Messages", "served-apis.txt");
}
