using System.Buffers;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using ActorStream.Broker;
using ActorStream.Broker.Hosting;
using ActorStream.Kafka.Apis;
using ActorStream.Kafka.Hosting;
using ActorStream.Kafka.Network;
using ActorStream.Kafka.Protocol;

namespace ActorStream.Kafka.Tests.Support;

/// <summary>
/// One <see cref="KafkaListener"/> on a free loopback port with test APIs (<see cref="TestApi"/>) instead of the real
/// handler list (or the real one when given none), and no broker behind it: the network layer alone.
/// </summary>
internal sealed class ListenerHarness : IAsyncDisposable
{
    private readonly ActorSystem _system;

    private ListenerHarness(ActorSystem system, KafkaListener listener, KafkaBufferPool pool)
    {
        _system = system;
        Listener = listener;
        Pool = pool;
    }

    public KafkaListener Listener { get; }

    public KafkaBufferPool Pool { get; }

    public int Port => Listener.BoundPort;

    public static ListenerHarness Start(string kafka = "", params KafkaApi[] apis)
    {
        var settings = KafkaSettings.Create(ConfigurationFactory.ParseString($$"""
            actorstream.broker.kafka-port = 0
            actorstream.kafka { {{kafka}} }
            """));
        var system = ActorSystem.Create("listener-harness", "akka.loglevel = WARNING");
        var pool = new KafkaBufferPool();
        var byKey = apis.ToDictionary(a => a.Key);
        // No test APIs: the gateway's real handler list.
        var listener = new KafkaListener(settings.Listeners[0], settings, pool, apis.Length == 0 ? null : key => byKey.GetValueOrDefault(key));
        listener.Bind();
        var broker = BrokerSettings.Create(BrokerConfig.Reference.GetConfig("actorstream.broker"));
        listener.Start(new KafkaGatewayServices(system, ActorRefs.Nobody, broker, "test-cluster"), Logging.GetLogger(system, typeof(ListenerHarness)));
        return new ListenerHarness(system, listener, pool);
    }

    public async ValueTask DisposeAsync()
    {
        await Listener.DisposeAsync();
        await _system.Terminate();
    }
}

/// <summary>
/// A test API (key and versions of its choosing; request header v1, response header v0). The body is a command:
/// <c>echo:TEXT</c> answers TEXT, <c>park</c> waits for <see cref="Release"/>, <c>silent</c> sends no response,
/// <c>close</c> throws <see cref="KafkaCloseConnectionException"/>, <c>throw</c> an unexpected exception,
/// <c>malformed</c> a <see cref="KafkaProtocolException"/>. A response is the correlation id's header and the text.
/// </summary>
internal sealed class TestApi(short key, short minVersion = 0, short maxVersion = 3, bool pipelined = false) : KafkaApi
{
    private TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override short Key => key;

    public override short MinVersion => minVersion;

    public override short MaxVersion => maxVersion;

    public int Parked;

    /// <summary>Requests whose handler has started.</summary>
    public int Started;

    public override bool Pipelined => pipelined;

    public void Release() => _release.TrySetResult();

    public override short RequestHeaderVersion(short version) => 1;

    public override short ResponseHeaderVersion(short version) => 0;

    public override async ValueTask<bool> HandleAsync(KafkaRequestContext context, ReadOnlyMemory<byte> body, IBufferWriter<byte> output, CancellationToken cancellationToken)
    {
        var command = System.Text.Encoding.UTF8.GetString(body.Span);
        Interlocked.Increment(ref Started);
        switch (command)
        {
            case "park":
                Interlocked.Increment(ref Parked);
                await _release.Task.WaitAsync(cancellationToken);
                break;
            case "silent":
                return false;
            case "close":
                throw new KafkaCloseConnectionException("test asked to close");
            case "throw":
                throw new InvalidOperationException("a handler bug");
            case "malformed":
                throw new KafkaProtocolException("test asked for a protocol error");
        }

        var writer = new KafkaWriter(output);
        ResponseHeader.Write(ref writer, context.Header.CorrelationId, 0);
        writer.WriteRaw(System.Text.Encoding.UTF8.GetBytes(command.StartsWith("echo:", StringComparison.Ordinal) ? command[5..] : command));
        return true;
    }
}
