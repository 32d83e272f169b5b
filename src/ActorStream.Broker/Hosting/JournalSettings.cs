using Akka.Configuration;
using Microsoft.Data.Sqlite;

namespace ActorStream.Broker.Hosting;

/// <summary>
/// The cluster's one metadata journal: <c>sqlite:PATH</c> (embedded, default <c>&lt;data&gt;/metadata.db</c>) or
/// <c>postgres:CONNECTION-STRING</c>. Renders the Akka.Persistence.Sql HOCON for it.
/// </summary>
public sealed record JournalSettings(string Provider, string ConnectionString, string Description)
{
    public static JournalSettings Parse(string? spec, string dataDir)
    {
        if (string.IsNullOrWhiteSpace(spec))
        {
            spec = "sqlite:" + Path.Combine(dataDir, "metadata.db");
        }

        if (spec.StartsWith("sqlite:", StringComparison.Ordinal))
        {
            var path = Path.GetFullPath(spec["sqlite:".Length..]);
            // Several processes may share the file: WAL mode and a long busy timeout (Default Timeout, seconds).
            var connection = new SqliteConnectionStringBuilder { DataSource = path, DefaultTimeout = 60, Pooling = true }.ToString();
            return new JournalSettings("SQLite.MS", connection, "sqlite:" + path);
        }

        if (spec.StartsWith("postgres:", StringComparison.Ordinal))
        {
            return new JournalSettings("PostgreSQL.15", spec["postgres:".Length..], "postgres");
        }

        throw new ArgumentException($"Unknown journal '{spec}': use sqlite:PATH or postgres:CONNECTION-STRING", nameof(spec));
    }

    public bool IsSqlite => Provider == "SQLite.MS";

    /// <summary>Creates the SQLite file's directory and switches the file to WAL mode (persistent per file).</summary>
    public void Prepare()
    {
        if (!IsSqlite)
        {
            return;
        }

        var builder = new SqliteConnectionStringBuilder(ConnectionString);
        Directory.CreateDirectory(Path.GetDirectoryName(builder.DataSource)!);
        using var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;";
        command.ExecuteNonQuery();
    }

    public Config ToConfig()
    {
        var connection = ConfigQuote(ConnectionString);
        // A process sharing the SQLite file may wait up to the busy timeout (60 s) for the write lock; the journal's
        // circuit breaker (10 s by default) must not fail the write before that.
        var callTimeout = IsSqlite ? "60s" : "10s";
        return ConfigurationFactory.ParseString($$"""
            akka.persistence.journal.sql {
              connection-string = {{connection}}
              provider-name = "{{Provider}}"
              auto-initialize = on
              circuit-breaker.call-timeout = {{callTimeout}}
            }
            akka.persistence.snapshot-store.sql {
              connection-string = {{connection}}
              provider-name = "{{Provider}}"
              auto-initialize = on
              circuit-breaker.call-timeout = {{callTimeout}}
            }
            """);
    }

    private static string ConfigQuote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
