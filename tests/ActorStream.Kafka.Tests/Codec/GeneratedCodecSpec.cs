using ActorStream.Kafka.Generator;

namespace ActorStream.Kafka.Tests.Codec;

/// <summary>
/// The committed codecs are exactly what the generator writes from Kafka's schemas today: nobody edited a generated
/// file by hand, and a generator change was followed by a regeneration. Runs wherever the schemas are beside the
/// repository (../shared/kafka-message-schemas, or ACTORSTREAM_KAFKA_SCHEMAS), and says it skipped elsewhere.
/// </summary>
public sealed class GeneratedCodecSpec
{
    [SkippableFact]
    public void Committed_codecs_are_what_the_generator_writes_from_the_schemas()
    {
        var root = RepositoryPaths.FindRoot(AppContext.BaseDirectory);
        Skip.If(root is null, "not run from inside the repository");
        var schemas = RepositoryPaths.DefaultSchemaDirectory(root!);
        Skip.IfNot(Directory.Exists(schemas), $"Kafka's message schemas are not at {schemas}");

        var expected = CodecGenerator.Generate(schemas, CodecGenerator.ReadApiList(RepositoryPaths.ApiListFile(root!)));
        var folder = RepositoryPaths.GeneratedDirectory(root!);
        var committed = Directory.GetFiles(folder).ToDictionary(f => Path.GetFileName(f), f => File.ReadAllText(f).ReplaceLineEndings("\n"));

        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), committed.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, content) in expected)
        {
            Assert.True(content == committed[name], $"{name} differs from the generator's output: run `dotnet run --project tools/ActorStream.Kafka.Generator`");
        }
    }

    [Fact]
    public void Generator_serves_only_stable_versions()
    {
        // ListOffsets is the one served schema that marks its latest version; it is stable at the pinned commit, so all
        // of 0-10 are generated. The versions of every generated message come from validVersions.
        Assert.Equal(10, ActorStream.Kafka.Messages.ListOffsetsRequest.HighestVersion);
        Assert.Equal(0, ActorStream.Kafka.Messages.ProduceRequest.LowestVersion);
        Assert.Equal(17, ActorStream.Kafka.Messages.FetchRequest.HighestVersion);
    }
}
