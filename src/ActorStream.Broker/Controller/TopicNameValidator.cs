namespace ActorStream.Broker.Controller;

/// <summary>Kafka's topic name rules (<c>org.apache.kafka.common.internals.Topic</c>).</summary>
public static class TopicNameValidator
{
    public const int MaxLength = 249;

    /// <summary>Returns why <paramref name="name"/> is not a legal topic name, or null when it is.</summary>
    public static string? Validate(string name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "Topic name is empty";
        }

        if (name is "." or "..")
        {
            return $"Topic name cannot be '{name}'";
        }

        if (name.Length > MaxLength)
        {
            return $"Topic name is {name.Length} characters long; the limit is {MaxLength}";
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return $"Topic name '{name}' contains '{c}': only ASCII letters, digits, '.', '_' and '-' are allowed";
            }
        }

        return null;
    }
}
