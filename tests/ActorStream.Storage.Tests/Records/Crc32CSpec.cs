using System.Text;
using ActorStream.Storage.Records;
using ActorStream.Storage.Tests.Support;
using CsCheck;

namespace ActorStream.Storage.Tests.Records;

public class Crc32CSpec
{
    [Fact]
    public void Crc32C_must_match_the_published_check_value_for_123456789() =>
        Assert.Equal(0xE3069283u, Crc32C.Compute(Encoding.ASCII.GetBytes("123456789")));

    [Fact]
    public void Crc32C_must_match_the_RFC3720_test_vectors()
    {
        // iSCSI (RFC 3720, B.4): 32 bytes of zeros, of 0xFF, and an ascending sequence.
        Assert.Equal(0x8A9136AAu, Crc32C.Compute(new byte[32]));
        Assert.Equal(0x62A8AB43u, Crc32C.Compute(Enumerable.Repeat((byte)0xFF, 32).ToArray()));
        Assert.Equal(0x46DD794Eu, Crc32C.Compute(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray()));
        Assert.Equal(0u, Crc32C.Compute([]));
    }

    [Fact]
    public void Crc32C_must_agree_with_the_bitwise_definition_on_random_data() =>
        Gen.Byte.Array[0, 300].Sample(bytes => Assert.Equal(ReferenceCrc32C.Compute(bytes), Crc32C.Compute(bytes)), iter: 500);
}
