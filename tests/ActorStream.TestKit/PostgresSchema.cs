using Npgsql;

namespace ActorStream.TestKit;

/// <summary>
/// A fresh PostgreSQL schema for one test fixture, in the test server that <c>test.sh</c> sets up (connection string in
/// <see cref="ConnectionVariable"/>). <see cref="JournalSpec"/> points a node's journal at it through the connection's
/// search path, so the journal's tables are created there and runs never see each other's events. Dropped on dispose.
/// </summary>
public sealed class PostgresSchema : IAsyncDisposable
{
    public const string ConnectionVariable = "ACTORSTREAM_TEST_POSTGRES";

    private readonly string _serverConnectionString;

    private PostgresSchema(string serverConnectionString, string name)
    {
        _serverConnectionString = serverConnectionString;
        Name = name;
    }

    /// <summary>The schema's name: unquoted, lower case, unique per instance.</summary>
    public string Name { get; }

    /// <summary>The connection string of the test server with this schema as the only search path.</summary>
    public string ConnectionString => new NpgsqlConnectionStringBuilder(_serverConnectionString) { SearchPath = Name }.ConnectionString;

    /// <summary>The <c>--journal</c> value (<c>actorstream.broker.journal</c>) of a node using this schema.</summary>
    public string JournalSpec => "postgres:" + ConnectionString;

    /// <summary>
    /// Creates the schema. Fails (never skips) when <see cref="ConnectionVariable"/> is not set: a missing server must show
    /// up as red tests, not as a green run that tested nothing.
    /// </summary>
    public static async Task<PostgresSchema> CreateAsync()
    {
        var server = Environment.GetEnvironmentVariable(ConnectionVariable);
        if (string.IsNullOrWhiteSpace(server))
        {
            throw new InvalidOperationException(
                $"{ConnectionVariable} is not set: run the tests through test.sh, which sets up a local PostgreSQL, or set it to a connection string of a database the tests may create schemas in");
        }

        var schema = new PostgresSchema(server, "actorstream_test_" + Guid.NewGuid().ToString("N")[..16]);
        await schema.ExecuteAsync($"CREATE SCHEMA {schema.Name}").ConfigureAwait(false);
        return schema;
    }

    /// <summary>The names of the tables in this schema (the journal creates its own on first use).</summary>
    public async Task<IReadOnlyList<string>> TablesAsync()
    {
        await using var connection = new NpgsqlConnection(_serverConnectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT table_name FROM information_schema.tables WHERE table_schema = @schema ORDER BY table_name", connection);
        command.Parameters.AddWithValue("schema", Name);
        var tables = new List<string>();
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            tables.Add(reader.GetString(0));
        }

        return tables;
    }

    /// <summary>How many rows <paramref name="table"/> of this schema holds (e.g. the journal's <c>journal</c> table).</summary>
    public async Task<long> CountRowsAsync(string table)
    {
        await using var connection = new NpgsqlConnection(_serverConnectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM {Name}.\"{table.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection);
        return (long)(await command.ExecuteScalarAsync().ConfigureAwait(false))!;
    }

    public async ValueTask DisposeAsync()
    {
        // Connections of stopped nodes stay pooled (idle) in this process: clear them so the drop does not wait on them.
        NpgsqlConnection.ClearAllPools();
        await ExecuteAsync($"DROP SCHEMA IF EXISTS {Name} CASCADE").ConfigureAwait(false);
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_serverConnectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }
}
