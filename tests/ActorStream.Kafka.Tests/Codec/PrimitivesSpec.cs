using System.Buffers;
using ActorStream.Kafka.Messages;
using ActorStream.Kafka.Protocol;

namespace ActorStream.Kafka.Tests.Codec;

public sealed class PrimitivesSpec
{
    [Theory]
    [InlineData(0u, new byte[] { 0x00 })]
    [InlineData(127u, new byte[] { 0x7F })]
    [InlineData(128u, new byte[] { 0x80, 0x01 })]
    [InlineData(300u, new byte[] { 0xAC, 0x02 })]
    [InlineData(uint.MaxValue, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x0F })]
    public void Unsigned_varints_are_little_endian_groups_of_seven_bits(uint value, byte[] expected)
    {
        var bytes = Write((ref KafkaWriter w) => w.WriteUnsignedVarint(value));
        Assert.Equal(expected, bytes);
        var reader = new KafkaReader(bytes);
        Assert.Equal(value, reader.ReadUnsignedVarint());
    }

    [Fact]
    public void Uuids_are_written_most_significant_bits_first()
    {
        var id = Guid.Parse("00112233-4455-6677-8899-aabbccddeeff");
        var bytes = Write((ref KafkaWriter w) => w.WriteUuid(id));
        Assert.Equal(Convert.FromHexString("00112233445566778899AABBCCDDEEFF"), bytes);
        var reader = new KafkaReader(bytes);
        Assert.Equal(id, reader.ReadUuid());
    }

    [Fact]
    public void Compact_and_classic_strings_differ_only_in_their_length_prefix()
    {
        Assert.Equal(new byte[] { 0x00, 0x02, (byte)'h', (byte)'i' }, Write((ref KafkaWriter w) => w.WriteString("hi", compact: false)));
        Assert.Equal(new byte[] { 0x03, (byte)'h', (byte)'i' }, Write((ref KafkaWriter w) => w.WriteString("hi", compact: true)));
        Assert.Equal(new byte[] { 0xFF, 0xFF }, Write((ref KafkaWriter w) => w.WriteNullableString(null, compact: false)));
        Assert.Equal(new byte[] { 0x00 }, Write((ref KafkaWriter w) => w.WriteNullableString(null, compact: true)));
    }

    [Fact]
    public void ApiVersions_v3_request_is_two_compact_strings_and_empty_tagged_fields()
    {
        var request = new ApiVersionsRequest { ClientSoftwareName = "kcat", ClientSoftwareVersion = "1.7.1" };
        var bytes = Write((ref KafkaWriter w) => request.Write(ref w, 3));
        Assert.Equal(Convert.FromHexString("056B636174" + "06312E372E31" + "00"), bytes);
    }

    [Theory]
    [InlineData("0001")]            // a classic string that claims 1 byte with none left
    [InlineData("7FFFFFFF")]        // an array of 2^31-1 elements in 4 bytes
    [InlineData("FFFFFFFFFF")]      // a varint longer than 5 bytes
    public void Truncated_or_lying_input_throws_a_protocol_exception(string hex)
    {
        var bytes = Convert.FromHexString(hex);
        Assert.Throws<KafkaProtocolException>(() =>
        {
            var reader = new KafkaReader(bytes);
            reader.ReadArrayLength(compact: false);
            reader.ReadString(compact: false);
        });
    }

    [Fact]
    public void A_field_the_version_cannot_carry_is_refused_unless_ignorable()
    {
        // Metadata v3 has no AllowAutoTopicCreation (v4+), which defaults to true and is not ignorable.
        var request = new MetadataRequest { AllowAutoTopicCreation = false };
        Assert.Throws<KafkaProtocolException>(() => Write((ref KafkaWriter w) => request.Write(ref w, 3)));
        Assert.NotEmpty(Write((ref KafkaWriter w) => request.Write(ref w, 4)));
    }

    private delegate void WriteAction(ref KafkaWriter writer);

    private static byte[] Write(WriteAction write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new KafkaWriter(buffer);
        write(ref writer);
        return buffer.WrittenSpan.ToArray();
    }
}
