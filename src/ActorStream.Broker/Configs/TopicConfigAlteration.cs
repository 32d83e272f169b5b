using ActorStream.Broker.Partition;
using ActorStream.Protocol;
using ActorStream.Protocol.Client;

namespace ActorStream.Broker.Configs;

/// <summary>
/// The topic configs an AlterConfigs (the whole set replaced) or IncrementalAlterConfigs (SET, DELETE) leaves, checked
/// as CreateTopics checks them (<see cref="TopicConfigs.Validate"/>). Pure: the controller persists the result.
/// </summary>
public static class TopicConfigAlteration
{
    public readonly record struct Outcome(Dictionary<string, string>? Configs, ErrorCode Error, string? Message)
    {
        public static Outcome Fail(ErrorCode error, string message) => new(null, error, message);
    }

    public static Outcome Apply(IReadOnlyDictionary<string, string> current, AlterConfigsResource resource, bool incremental)
    {
        var duplicate = resource.Configs.GroupBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            return Outcome.Fail(ErrorCode.InvalidRequest, $"Config '{duplicate.Key}' is given more than once");
        }

        if (resource.Configs.FirstOrDefault(c => !TopicConfigs.Names.Contains(c.Name, StringComparer.Ordinal)) is { } unknown)
        {
            return Outcome.Fail(ErrorCode.InvalidConfig, $"Unknown topic config '{unknown.Name}'; known: {string.Join(", ", TopicConfigs.Names)}");
        }

        Dictionary<string, string> configs;
        if (!incremental)
        {
            configs = resource.Configs.Where(c => c.HasValue).ToDictionary(c => c.Name, c => c.Value, StringComparer.Ordinal);
        }
        else
        {
            configs = new Dictionary<string, string>(current, StringComparer.Ordinal);
            foreach (var config in resource.Configs)
            {
                switch (config.ConfigOperation)
                {
                    case AlterConfigOp.Set when !config.HasValue:
                        return Outcome.Fail(ErrorCode.InvalidRequest, $"SET of '{config.Name}' needs a value");
                    case AlterConfigOp.Set:
                        configs[config.Name] = config.Value;
                        break;
                    case AlterConfigOp.Delete:
                        configs.Remove(config.Name);
                        break;
                    case AlterConfigOp.Append or AlterConfigOp.Subtract:
                        return Outcome.Fail(ErrorCode.InvalidRequest, $"APPEND and SUBTRACT are not supported ('{config.Name}'): SET the whole list instead");
                    default:
                        return Outcome.Fail(ErrorCode.InvalidRequest, $"Unknown config operation {config.ConfigOperation} for '{config.Name}'");
                }
            }
        }

        return TopicConfigs.Validate(configs) is { } invalid
            ? Outcome.Fail(ErrorCode.InvalidConfig, invalid)
            : new Outcome(configs, ErrorCode.None, null);
    }
}
