using System.Globalization;
using ActorStream.Storage.Log;

namespace ActorStream.Broker.Partition;

/// <summary>Per-topic configs by Kafka name: which are accepted, and how they become a <see cref="LogConfig"/>.</summary>
public static class TopicConfigs
{
    public const string CleanupPolicy = "cleanup.policy";
    public const string MinInsyncReplicas = "min.insync.replicas";
    public const string UncleanLeaderElectionEnable = "unclean.leader.election.enable";

    /// <summary>Every topic config a topic accepts (the error for an unknown one lists them).</summary>
    public static IReadOnlyList<string> Names { get; } =
        [CleanupPolicy, MinInsyncReplicas, UncleanLeaderElectionEnable, .. LogConfig.KafkaPropertyNames];

    /// <summary>Returns an error message for the first invalid entry, or null when all are valid.</summary>
    public static string? Validate(IReadOnlyDictionary<string, string> configs)
    {
        foreach (var (key, value) in configs)
        {
            switch (key)
            {
                case CleanupPolicy:
                    if (value != "delete")
                    {
                        return $"cleanup.policy={value} is not supported: only 'delete' (log compaction is not implemented)";
                    }

                    break;
                case MinInsyncReplicas:
                    if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n < 1)
                    {
                        return $"Invalid value '{value}' for min.insync.replicas: expected an integer ≥ 1";
                    }

                    break;
                case UncleanLeaderElectionEnable:
                    if (!bool.TryParse(value, out _))
                    {
                        return $"Invalid value '{value}' for unclean.leader.election.enable: expected true or false";
                    }

                    break;
                case var name when !LogConfig.KafkaPropertyNames.Contains(name, StringComparer.Ordinal):
                    return $"Unknown topic config '{name}'; known: {string.Join(", ", Names)}";
                default:
                    try
                    {
                        LogConfig.Default.With([new(key, value)]);
                    }
                    catch (ArgumentException e)
                    {
                        return e.Message;
                    }

                    break;
            }
        }

        return null;
    }

    /// <summary><c>min.insync.replicas</c> of the topic, else the broker default.</summary>
    public static int MinInsync(IReadOnlyDictionary<string, string> configs, int brokerDefault) =>
        configs.TryGetValue(MinInsyncReplicas, out var value) && int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : brokerDefault;

    public static LogConfig ToLogConfig(LogConfig defaults, IReadOnlyDictionary<string, string> configs) =>
        defaults.With(configs.Where(c => c.Key is not (CleanupPolicy or MinInsyncReplicas or UncleanLeaderElectionEnable)));
}
