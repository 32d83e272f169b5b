using ActorStream.Storage.Errors;
using ActorStream.Storage.Records;
using CsCheck;

namespace ActorStream.Storage.Tests.Records;

public class VarintSpec
{
    [Theory]
    [InlineData(0, new byte[] { 0x00 })]
    [InlineData(-1, new byte[] { 0x01 })]
    [InlineData(1, new byte[] { 0x02 })]
    [InlineData(63, new byte[] { 0x7E })]
    [InlineData(-64, new byte[] { 0x7F })]
    [InlineData(64, new byte[] { 0x80, 0x01 })]
    [InlineData(int.MaxValue, new byte[] { 0xFE, 0xFF, 0xFF, 0xFF, 0x0F })]
    [InlineData(int.MinValue, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x0F })]
    public void Varint_must_encode_zigzag_like_Kafka(int value, byte[] expected)
    {
        var buffer = new byte[5];
        var written = Varint.Write(buffer, value);
        Assert.Equal(expected, buffer[..written]);
        Assert.Equal(expected.Length, Varint.SizeOf(value));
        var position = 0;
        Assert.Equal(value, Varint.ReadInt(buffer, ref position));
        Assert.Equal(written, position);
    }

    [Fact]
    public void Varlong_must_round_trip_every_value() =>
        Gen.Long.Sample(value =>
        {
            var buffer = new byte[10];
            var written = Varint.Write(buffer, value);
            Assert.Equal(written, Varint.SizeOf(value));
            var position = 0;
            Assert.Equal(value, Varint.ReadLong(buffer, ref position));
            Assert.Equal(written, position);
        }, iter: 2000);

    [Fact]
    public void Varint_must_reject_truncated_and_overlong_input()
    {
        var position = 0;
        Assert.Throws<CorruptRecordException>(() => Varint.ReadInt([0x80, 0x80], ref position));
        position = 0;
        Assert.Throws<CorruptRecordException>(() => Varint.ReadInt([0x80, 0x80, 0x80, 0x80, 0x80, 0x01], ref position));
    }
}
