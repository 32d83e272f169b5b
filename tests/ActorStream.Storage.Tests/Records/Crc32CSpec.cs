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

    /// <summary>Sizes that go through the interleaved three-block paths (≥ 3 × 256 and ≥ 3 × 8192 bytes) and their tails.</summary>
    [Fact]
    public void Crc32C_must_agree_with_the_bitwise_definition_on_large_inputs_of_any_length() =>
        Gen.Byte.Array[700, 60_000].Sample(bytes => Assert.Equal(ReferenceCrc32C.Compute(bytes), Crc32C.Compute(bytes)), iter: 40);

    [Fact]
    public void Crc32C_must_be_resumable_across_any_split() =>
        Gen.Select(Gen.Byte.Array[0, 30_000], Gen.Double[0, 1]).Sample(t =>
        {
            var (bytes, fraction) = t;
            var split = (int)(fraction * bytes.Length);
            var resumed = ~Crc32C.Update(Crc32C.Update(0xFFFF_FFFFu, bytes.AsSpan(0, split)), bytes.AsSpan(split));
            Assert.Equal(Crc32C.Compute(bytes), resumed);
        }, iter: 100);
}
