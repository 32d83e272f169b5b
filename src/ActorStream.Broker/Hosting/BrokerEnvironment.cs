using Akka.Configuration;

namespace ActorStream.Broker.Hosting;

/// <summary>
/// The environment variables <c>actorstream node start</c> reads, below its flags and above the <c>--config</c> file:
/// how a container configures a node (like the <c>KAFKA_*</c> variables of Kafka's images) and keeps the journal's
/// password off the command line, where every local user can read it. An empty variable counts as unset.
/// </summary>
public static class BrokerEnvironment
{
    /// <summary><c>actorstream.broker.host</c>: the name clients and other nodes reach this node by.</summary>
    public const string Host = "ACTORSTREAM_HOST";

    /// <summary><c>actorstream.broker.bind-host</c>: the address the node's socket binds to.</summary>
    public const string BindHost = "ACTORSTREAM_BIND_HOST";

    /// <summary><c>actorstream.broker.journal</c>: <c>sqlite:PATH</c> or <c>postgres:CONNSTR</c>.</summary>
    public const string Journal = "ACTORSTREAM_JOURNAL";

    /// <summary>A file holding the journal spec (a Docker secret, like the postgres image's <c>*_FILE</c> variables).</summary>
    public const string JournalFile = "ACTORSTREAM_JOURNAL_FILE";

    /// <summary><c>actorstream.kafka.listeners</c>: Kafka's <c>listeners</c> (like <c>KAFKA_LISTENERS</c> of Kafka's images).</summary>
    public const string KafkaListeners = "ACTORSTREAM_KAFKA_LISTENERS";

    /// <summary><c>actorstream.kafka.advertised-listeners</c>: Kafka's <c>advertised.listeners</c>.</summary>
    public const string KafkaAdvertisedListeners = "ACTORSTREAM_KAFKA_ADVERTISED_LISTENERS";

    /// <summary>The process's own environment as config overrides.</summary>
    public static Config FromProcess() => ToConfig(Environment.GetEnvironmentVariable);

    /// <summary>The variables <paramref name="getVariable"/> returns as <c>actorstream.broker</c> (and <c>actorstream.kafka</c>) overrides.</summary>
    /// <exception cref="ConfigurationException">Both journal variables are set, or the journal file cannot be read.</exception>
    public static Config ToConfig(Func<string, string?> getVariable)
    {
        ArgumentNullException.ThrowIfNull(getVariable);
        string? Get(string name) => getVariable(name) is { Length: > 0 } value ? value : null;

        var journal = Get(Journal);
        if (Get(JournalFile) is { } file)
        {
            if (journal is not null)
            {
                throw new ConfigurationException($"Set {Journal} or {JournalFile}, not both");
            }

            journal = ReadJournalFile(file);
        }

        var lines = new List<string>();
        void Set(string key, string? value)
        {
            if (value is not null)
            {
                lines.Add($"actorstream.broker.{key} = {Quote(value)}");
            }
        }

        Set("host", Get(Host));
        Set("bind-host", Get(BindHost));
        Set("journal", journal);
        // The Kafka gateway's section (ActorStream.Kafka reads it; the broker does not reference that module).
        if (Get(KafkaListeners) is { } listeners)
        {
            lines.Add($"actorstream.kafka.listeners = {Quote(listeners)}");
        }

        if (Get(KafkaAdvertisedListeners) is { } advertised)
        {
            lines.Add($"actorstream.kafka.advertised-listeners = {Quote(advertised)}");
        }

        // Never the shared Config.Empty: Akka refuses a config as its own fallback, and callers chain this one.
        return ConfigurationFactory.ParseString(string.Join("\n", lines));
    }

    private static string ReadJournalFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException($"Cannot read {JournalFile} {path}: {e.Message}", e);
        }

        // Secret files usually end with a newline; a connection string never does.
        var journal = text.Trim();
        return journal.Length > 0 ? journal : throw new ConfigurationException($"{JournalFile} {path} is empty");
    }

    private static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
