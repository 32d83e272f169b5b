using ActorStream.Kafka.Generator;
using ActorStream.Kafka.Protocol;
using CsCheck;

namespace ActorStream.Kafka.Tests.Codec;

/// <summary>
/// Property tests of every generated request and response at every version it defines: random instances survive
/// Write → Read → Write byte for byte and field for field, and corrupt input (truncated, mutated, random) either decodes
/// or ends in a <see cref="KafkaProtocolException"/>, never another exception and never an allocation out of proportion
/// to the input. Needs Kafka's schemas (the versions and nullability of each field), as the regeneration spec does.
/// </summary>
public sealed class RoundTripSpec
{
    /// <summary>Random instances per message version; with the corruptions below about 25 decodes each.</summary>
    private const int InstancesPerVersion = 30;

    /// <summary>A decode may allocate objects for what it reads, but a length field must not make it allocate more.</summary>
    private const long AllocationSlackBytes = 64 * 1024;

    private const long AllocationPerInputByte = 1024;

    public static TheoryData<string> Messages() => new(MessageModel.GeneratedTypes.Select(t => t.Name));

    [SkippableTheory]
    [MemberData(nameof(Messages))]
    public void Random_instances_round_trip_at_every_version(string message)
    {
        var model = LoadModel(message);
        for (var version = model.Lowest; version <= model.Highest; version++)
        {
            var v = version;
            Gen.Int.Sample(seed =>
            {
                var random = new Random(seed);
                var instance = model.Random(v, random);
                var bytes = MessageModel.Write(instance, v);
                var (read, consumed) = model.Read(bytes, v);
                Assert.Equal(bytes.Length, consumed);
                Assert.Null(model.Difference(instance, read, v));
                Assert.Equal(Convert.ToHexString(bytes), Convert.ToHexString(MessageModel.Write(read, v)));
            }, iter: InstancesPerVersion, threads: 1);
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Messages))]
    public void Corrupt_input_decodes_or_throws_a_protocol_exception(string message)
    {
        var model = LoadModel(message);
        for (var version = model.Lowest; version <= model.Highest; version++)
        {
            var v = version;
            Gen.Int.Sample(seed =>
            {
                var random = new Random(seed);
                var bytes = MessageModel.Write(model.Random(v, random), v);
                for (var i = 0; i < 8 && bytes.Length > 0; i++)
                {
                    DecodeOrProtocolError(model, bytes.AsMemory(0, random.Next(bytes.Length)), v);
                }

                for (var i = 0; i < 12 && bytes.Length > 0; i++)
                {
                    var mutated = bytes.ToArray();
                    for (var flips = random.Next(1, 4); flips > 0; flips--)
                    {
                        // 0xFF and 0x7F bytes turn lengths and counts into huge or negative ones.
                        mutated[random.Next(mutated.Length)] = random.Next(3) switch { 0 => 0xFF, 1 => 0x7F, _ => (byte)random.Next(256) };
                    }

                    DecodeOrProtocolError(model, mutated, v);
                }

                var garbage = new byte[random.Next(64)];
                random.NextBytes(garbage);
                DecodeOrProtocolError(model, garbage, v);
            }, iter: InstancesPerVersion / 2, threads: 1);
        }
    }

    [SkippableFact]
    public void Every_generated_message_has_a_schema_and_every_version_is_covered()
    {
        var schemas = SchemaDirectory();
        var models = MessageModel.GeneratedTypes.Select(t => MessageModel.Load(t, schemas)).ToList();
        Assert.Equal(68, models.Count);
        Assert.All(models, m => Assert.True(m.Highest >= m.Lowest, m.Type.Name));
    }

    [SkippableFact]
    public void The_comparison_sees_a_field_that_differs_and_ignores_one_the_version_does_not_carry()
    {
        var model = LoadModel("ProduceRequest");
        var written = new ActorStream.Kafka.Messages.ProduceRequest { Acks = -1, TimeoutMs = 30000, TransactionalId = null };
        var read = (ActorStream.Kafka.Messages.ProduceRequest)model.Read(MessageModel.Write(written, 3), 3).Message;
        Assert.Null(model.Difference(written, read, 3));
        read.Acks = 1;
        Assert.Equal("ProduceRequest.Acks: -1 written, 1 read", model.Difference(written, read, 3));
        // TransactionalId is a v3+ field: at v2 the read side keeps its default (null) whatever was set.
        var v2 = new ActorStream.Kafka.Messages.ProduceRequest { Acks = 1 };
        Assert.Null(model.Difference(v2, model.Read(MessageModel.Write(v2, 2), 2).Message, 2));
    }

    [SkippableFact]
    public void A_non_ignorable_tagged_field_set_on_a_version_that_cannot_carry_it_throws()
    {
        _ = SchemaDirectory();
        var response = new ActorStream.Kafka.Messages.ProduceResponse
        {
            Responses =
            [
                new() { Name = "t", PartitionResponses = [new() { CurrentLeader = new() { LeaderId = 1, LeaderEpoch = 2 } }] },
            ],
        };
        Assert.Throws<KafkaProtocolException>(() => MessageModel.Write(response, 9));
        Assert.NotEmpty(MessageModel.Write(response, 10));
    }

    [SkippableFact]
    public void Unknown_tagged_fields_on_a_non_flexible_version_throw()
    {
        _ = SchemaDirectory();
        var request = new ActorStream.Kafka.Messages.MetadataRequest { UnknownTaggedFields = [new TaggedField(7, [1, 2])] };
        Assert.Throws<KafkaProtocolException>(() => MessageModel.Write(request, 8));
        var bytes = MessageModel.Write(request, 9);
        Assert.Equal(request.UnknownTaggedFields, ((ActorStream.Kafka.Messages.MetadataRequest)LoadModel("MetadataRequest").Read(bytes, 9).Message).UnknownTaggedFields!,
            (a, b) => a.Tag == b.Tag && a.Data.AsSpan().SequenceEqual(b.Data));
    }

    private static void DecodeOrProtocolError(MessageModel model, ReadOnlyMemory<byte> input, short version)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            model.Read(input, version);
        }
        catch (KafkaProtocolException)
        {
            // The expected outcome for most corrupt frames.
        }
        catch (Exception e)
        {
            Assert.Fail($"{model.Type.Name} v{version} threw {e.GetType().Name} on {Convert.ToHexString(input.Span)}: {e.Message}");
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated <= AllocationSlackBytes + (AllocationPerInputByte * input.Length),
            $"{model.Type.Name} v{version} allocated {allocated} bytes decoding {input.Length}: {Convert.ToHexString(input.Span)}");
    }

    private static MessageModel LoadModel(string message) =>
        MessageModel.Load(MessageModel.GeneratedTypes.Single(t => t.Name == message), SchemaDirectory());

    private static string SchemaDirectory()
    {
        var root = RepositoryPaths.FindRoot(AppContext.BaseDirectory);
        Skip.If(root is null, "not run from inside the repository");
        var schemas = RepositoryPaths.DefaultSchemaDirectory(root!);
        Skip.IfNot(Directory.Exists(schemas), $"Kafka's message schemas are not at {schemas}");
        return schemas;
    }
}
