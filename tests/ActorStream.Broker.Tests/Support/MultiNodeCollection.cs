namespace ActorStream.Broker.Tests.Support;

/// <summary>
/// Specs that start a <see cref="ActorStream.TestKit.TestCluster"/>: several ActorSystems each, so they run one at a time and
/// never next to other test classes (2 cores; cluster timings must not starve).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MultiNodeCollection
{
    public const string Name = "multi-node";
}
