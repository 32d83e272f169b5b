using ActorStream.Kafka.Generator;

namespace ActorStream.Kafka.Tests.Codec;

/// <summary>
/// Rules of Kafka's schema language that no served schema exercises today (so the round-trip specs cannot see them),
/// checked on the code the generator emits for a small made-up schema.
/// </summary>
public sealed class GeneratorRulesSpec : IDisposable
{
    private const string Schema = """
        // A made-up request exercising the rules below.
        {
          "apiKey": 999, "type": "request", "name": "RulesRequest",
          "validVersions": "0-4", "flexibleVersions": "2+",
          "fields": [
            { "name": "Mandatory", "type": "int32", "versions": "0+" },
            { "name": "LaterTagged", "type": "string", "versions": "0+", "tag": 0, "taggedVersions": "3+" },
            { "name": "TagOnly", "type": "int64", "tag": 1, "taggedVersions": "2+", "default": "0x10" },
            { "name": "MaybeState", "type": "State", "versions": "1+", "nullableVersions": "3+", "ignorable": true,
              "fields": [ { "name": "Epoch", "type": "int32", "versions": "0+" } ] },
            { "name": "TaggedState", "type": "State2", "versions": "2+", "nullableVersions": "2+", "tag": 2, "taggedVersions": "2+",
              "fields": [ { "name": "Epoch", "type": "int32", "versions": "0+" } ] },
            { "name": "Items", "type": "[]Shared", "versions": "0+" }
          ],
          "commonStructs": [
            { "name": "Shared", "versions": "0+", "fields": [
              { "name": "Inner", "type": "InnerStruct", "versions": "0+", "fields": [ { "name": "X", "type": "int8", "versions": "0+" } ] } ] }
          ]
        }
        """;

    private readonly string _path = Path.Combine(Path.GetTempPath(), $"RulesRequest-{Guid.NewGuid():N}.json");

    public GeneratorRulesSpec() => File.WriteAllText(_path, Schema);

    public void Dispose() => File.Delete(_path);

    private string Emit() => new MessageEmitter(MessageSpec.Load(_path)).Emit();

    [Fact]
    public void A_tagged_field_is_positional_in_its_versions_before_its_tagged_ones()
    {
        var code = Emit();
        Assert.Contains("if (version <= 2)\n        {\n            writer.WriteString(LaterTagged, flexible);", code, StringComparison.Ordinal);
        Assert.Contains("result.LaterTagged = reader.ReadString(flexible);", code, StringComparison.Ordinal);
        Assert.Contains("case 0 when version >= 3:", code, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tagged_field_without_versions_has_its_tagged_versions_and_a_hex_default()
    {
        var code = Emit();
        Assert.Contains("public long TagOnly { get; set; } = 16L;", code, StringComparison.Ordinal);
        Assert.Contains("if (version >= 2 && TagOnly != 16L)", code, StringComparison.Ordinal);
        Assert.Contains("if (!(version >= 2) && TagOnly != 16L)", code, StringComparison.Ordinal);
    }

    [Fact]
    public void A_nullable_struct_has_its_int8_marker_only_in_nullable_versions_and_a_varint_marker_when_tagged()
    {
        var code = Emit();
        Assert.Contains("result.MaybeState = version >= 3 && reader.ReadInt8() < 0 ? null : RulesRequest.State.Read(ref reader, version);", code, StringComparison.Ordinal);
        Assert.Contains("result.TaggedState = field.ReadUnsignedVarint() == 0 ? null : RulesRequest.State2.Read(ref field, version);", code, StringComparison.Ordinal);
        Assert.Contains("taggedWriter.WriteUnsignedVarint(1);", code, StringComparison.Ordinal);
    }

    [Fact]
    public void Structs_inside_common_structs_are_generated()
    {
        Assert.Contains("public sealed partial class InnerStruct", Emit(), StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_tagged_fields_on_a_version_without_tagged_fields_throw()
    {
        Assert.Contains("else if (UnknownTaggedFields is { Count: > 0 })", Emit(), StringComparison.Ordinal);
    }
}
