using ActorStream.Broker.Hosting;
using Akka.Configuration;

namespace ActorStream.Broker.Tests;

/// <summary>The environment variables <c>node start</c> reads (<see cref="BrokerEnvironment"/>).</summary>
public sealed class BrokerEnvironmentSpec : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "actorstream-env", Guid.NewGuid().ToString("N"));

    public BrokerEnvironmentSpec() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void No_variables_must_override_nothing()
    {
        var config = BrokerEnvironment.ToConfig(_ => null);
        Assert.True(config.IsEmpty);
    }

    [Fact]
    public void Host_bind_host_and_journal_must_become_broker_settings()
    {
        var env = Environment(
            (BrokerEnvironment.Host, "node1"),
            (BrokerEnvironment.BindHost, "0.0.0.0"),
            (BrokerEnvironment.Journal, "postgres:Host=db;Username=as;Password=s\"e;c\\ret;Database=as"));

        var settings = Settings(BrokerEnvironment.ToConfig(env));

        Assert.Equal("node1", settings.Host);
        Assert.Equal("0.0.0.0", settings.BindHost);
        Assert.Equal("postgres:Host=db;Username=as;Password=s\"e;c\\ret;Database=as", settings.Journal);
    }

    [Fact]
    public void Kafka_listener_variables_must_become_kafka_settings()
    {
        var env = Environment(
            (BrokerEnvironment.KafkaListeners, "INTERNAL://:29092,EXTERNAL://:9092"),
            (BrokerEnvironment.KafkaAdvertisedListeners, "INTERNAL://node1:29092,EXTERNAL://localhost:9092"));

        var config = BrokerEnvironment.ToConfig(env);

        Assert.Equal("INTERNAL://:29092,EXTERNAL://:9092", config.GetString("actorstream.kafka.listeners"));
        Assert.Equal("INTERNAL://node1:29092,EXTERNAL://localhost:9092", config.GetString("actorstream.kafka.advertised-listeners"));
    }

    [Fact]
    public void Empty_variables_must_count_as_unset()
    {
        var env = Environment((BrokerEnvironment.Host, ""), (BrokerEnvironment.BindHost, ""), (BrokerEnvironment.Journal, ""), (BrokerEnvironment.JournalFile, ""));

        var settings = Settings(BrokerEnvironment.ToConfig(env));

        Assert.Equal("127.0.0.1", settings.Host);
        Assert.Equal("127.0.0.1", settings.BindHost);
        Assert.Equal("", settings.Journal);
    }

    [Fact]
    public void The_journal_file_must_be_read_without_its_trailing_newline()
    {
        var file = Path.Combine(_dir, "journal");
        File.WriteAllText(file, "postgres:Host=db;Password=secret\n");

        var settings = Settings(BrokerEnvironment.ToConfig(Environment((BrokerEnvironment.JournalFile, file))));

        Assert.Equal("postgres:Host=db;Password=secret", settings.Journal);
    }

    [Fact]
    public void Both_journal_variables_must_be_refused()
    {
        var file = Path.Combine(_dir, "journal");
        File.WriteAllText(file, "sqlite:/tmp/a.db");

        var error = Assert.Throws<ConfigurationException>(() => BrokerEnvironment.ToConfig(Environment((BrokerEnvironment.JournalFile, file), (BrokerEnvironment.Journal, "sqlite:/tmp/b.db"))));

        Assert.Equal("Set ACTORSTREAM_JOURNAL or ACTORSTREAM_JOURNAL_FILE, not both", error.Message);
    }

    [Fact]
    public void A_missing_or_empty_journal_file_must_be_refused_naming_it()
    {
        var missing = Path.Combine(_dir, "missing");
        var empty = Path.Combine(_dir, "empty");
        File.WriteAllText(empty, "\n");

        var missingError = Assert.Throws<ConfigurationException>(() => BrokerEnvironment.ToConfig(Environment((BrokerEnvironment.JournalFile, missing))));
        var emptyError = Assert.Throws<ConfigurationException>(() => BrokerEnvironment.ToConfig(Environment((BrokerEnvironment.JournalFile, empty))));

        Assert.StartsWith($"Cannot read ACTORSTREAM_JOURNAL_FILE {missing}: ", missingError.Message, StringComparison.Ordinal);
        Assert.Equal($"ACTORSTREAM_JOURNAL_FILE {empty} is empty", emptyError.Message);
    }

    [Fact]
    public void Flags_must_win_over_the_environment_and_the_environment_over_the_config_file()
    {
        var flags = ConfigurationFactory.ParseString("actorstream.broker.host = \"from-flag\"");
        var env = BrokerEnvironment.ToConfig(Environment((BrokerEnvironment.Host, "from-env"), (BrokerEnvironment.BindHost, "0.0.0.0")));
        var file = ConfigurationFactory.ParseString("actorstream.broker { host = \"from-file\", bind-host = \"10.0.0.1\", journal = \"sqlite:/from/file.db\" }");

        var config = BrokerConfig.Build(flags.WithFallback(env), file, "single-node");

        Assert.Equal("from-flag", config.GetString("actorstream.broker.host"));
        Assert.Equal("0.0.0.0", config.GetString("actorstream.broker.bind-host"));
        Assert.Equal("sqlite:/from/file.db", config.GetString("actorstream.broker.journal"));
    }

    private static BrokerSettings Settings(Config overrides) =>
        BrokerSettings.Create(BrokerConfig.Build(overrides, userConfig: null, "single-node").GetConfig("actorstream.broker"));

    private static Func<string, string?> Environment(params (string Name, string Value)[] variables) =>
        name => variables.Where(v => v.Name == name).Select(v => v.Value).FirstOrDefault();
}
