using System.Globalization;

namespace ActorStream.Broker.Hosting;

/// <summary>
/// <c>meta.properties</c> in the data dir, as Kafka writes it: the node id and the cluster id this directory
/// belongs to. Written on first start; a later start with another node id or cluster refuses to run.
/// </summary>
public sealed record MetaProperties(int NodeId, string ClusterId)
{
    public const string FileName = "meta.properties";

    public static MetaProperties? Read(string dataDir)
    {
        var path = Path.Combine(dataDir, FileName);
        if (!File.Exists(path))
        {
            return null;
        }

        var values = File.ReadAllLines(path)
            .Where(l => l.Contains('=', StringComparison.Ordinal) && !l.StartsWith('#'))
            .Select(l => l.Split('=', 2))
            .ToDictionary(p => p[0].Trim(), p => p[1].Trim());
        if (!values.TryGetValue("node.id", out var nodeId) || !values.TryGetValue("cluster.id", out var clusterId)
            || !int.TryParse(nodeId, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id))
        {
            throw new InvalidOperationException($"{path} is damaged: it needs node.id and cluster.id");
        }

        return new MetaProperties(id, clusterId);
    }

    public void Write(string dataDir)
    {
        Directory.CreateDirectory(dataDir);
        var path = Path.Combine(dataDir, FileName);
        File.WriteAllText(path + ".tmp", $"#ActorStream node identity: do not edit\nversion=1\nnode.id={NodeId}\ncluster.id={ClusterId}\n");
        File.Move(path + ".tmp", path, overwrite: true);
    }

    /// <summary>A new random cluster id in Kafka's style (22-char URL-safe base64 of a UUID).</summary>
    public static string NewClusterId() =>
        Convert.ToBase64String(Guid.NewGuid().ToByteArray()).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
