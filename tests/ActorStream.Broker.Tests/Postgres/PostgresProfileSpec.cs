using ActorStream.Broker.Hosting;
using Akka.Configuration;

namespace ActorStream.Broker.Tests.Postgres;

/// <summary><c>hocon/postgres.conf</c>, the snippet users pass with <c>--config</c>, parses and selects a PostgreSQL journal.</summary>
public sealed class PostgresProfileSpec
{
    [Fact]
    public void The_snippet_must_select_the_postgres_journal_for_journal_and_snapshots()
    {
        var config = BrokerConfig.Build(Config.Empty, Snippet(), "cluster-node");
        var journal = JournalSettings.Parse(config.GetString("actorstream.broker.journal"), "/unused");
        Assert.Equal("PostgreSQL.15", journal.Provider);
        Assert.Contains("Host=127.0.0.1", journal.ConnectionString, StringComparison.Ordinal);
        Assert.Equal(journal.ConnectionString, config.GetString("akka.persistence.journal.sql.connection-string"));
        Assert.Equal("PostgreSQL.15", config.GetString("akka.persistence.journal.sql.provider-name"));
        Assert.Equal(journal.ConnectionString, config.GetString("akka.persistence.snapshot-store.sql.connection-string"));
        Assert.Equal("PostgreSQL.15", config.GetString("akka.persistence.snapshot-store.sql.provider-name"));
    }

    [Fact]
    public void A_journal_option_on_the_command_line_must_win_over_the_snippet()
    {
        var overrides = ConfigurationFactory.ParseString("actorstream.broker.journal = \"postgres:Host=override;Database=cluster_metadata\"");
        var config = BrokerConfig.Build(overrides, Snippet(), "cluster-node");
        Assert.Equal("Host=override;Database=cluster_metadata", config.GetString("akka.persistence.journal.sql.connection-string"));
        Assert.Equal("PostgreSQL.15", config.GetString("akka.persistence.snapshot-store.sql.provider-name"));
    }

    /// <summary>The snippet's text (embedded in the Broker assembly from <c>hocon/</c>), parsed as <c>--config</c> parses a file.</summary>
    private static Config Snippet()
    {
        using var stream = typeof(BrokerConfig).Assembly.GetManifestResourceStream("ActorStream.Broker.hocon.postgres.conf")
            ?? throw new InvalidOperationException("hocon/postgres.conf is not embedded in the Broker assembly");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }
}
