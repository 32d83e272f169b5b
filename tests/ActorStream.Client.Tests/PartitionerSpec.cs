using System.Text;
using ActorStream.Client.Producer;

namespace ActorStream.Client.Tests;

public class PartitionerSpec
{
    // Kafka's UtilsTest.testMurmur2 reference values.
    [Theory]
    [InlineData("21", -973932308)]
    [InlineData("foobar", -790332482)]
    [InlineData("a-little-bit-long-string", -985981536)]
    [InlineData("a-little-bit-longer-string", -1486304829)]
    [InlineData("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971)]
    [InlineData("abc", 479470107)]
    public void Murmur2_must_match_Kafka_reference_values(string key, int expected) =>
        Assert.Equal(expected, Murmur2.Hash(Encoding.ASCII.GetBytes(key)));

    [Theory]
    [InlineData("foobar", 50, 16)]
    [InlineData("foobar", 10, 6)]
    public void Partition_must_be_the_positive_hash_modulo_the_partition_count(string key, int partitions, int expected) =>
        Assert.Equal(expected, Murmur2.Partition(Encoding.ASCII.GetBytes(key), partitions));

    [Fact]
    public void Murmur2_must_agree_with_an_independent_port_of_the_Java_code_for_every_length()
    {
        var random = new Random(42);
        for (var length = 0; length < 300; length++)
        {
            var data = new byte[length];
            random.NextBytes(data);
            Assert.Equal(JavaMurmur2(data), Murmur2.Hash(data));
        }
    }

    [Fact]
    public void Same_key_must_always_map_to_the_same_partition()
    {
        var key = Encoding.UTF8.GetBytes("customer-42");
        var first = Murmur2.Partition(key, 12);
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(first, Murmur2.Partition(Encoding.UTF8.GetBytes("customer-42"), 12));
        }

        var spread = Enumerable.Range(0, 1000).Select(i => Murmur2.Partition(Encoding.UTF8.GetBytes($"k{i}"), 12)).Distinct().Count();
        Assert.Equal(12, spread);
    }

    /// <summary>Transcribed independently from Kafka's Utils.murmur2 with Java's signed ints and &gt;&gt;&gt;.</summary>
    private static int JavaMurmur2(byte[] data)
    {
        var length = data.Length;
        var seed = unchecked((int)0x9747b28c);
        const int m = 0x5bd1e995;
        const int r = 24;
        var h = seed ^ length;
        var length4 = length / 4;
        unchecked
        {
            for (var i = 0; i < length4; i++)
            {
                var i4 = i * 4;
                var k = (data[i4 + 0] & 0xff) + ((data[i4 + 1] & 0xff) << 8) + ((data[i4 + 2] & 0xff) << 16) + ((data[i4 + 3] & 0xff) << 24);
                k *= m;
                k ^= (int)((uint)k >> r);
                k *= m;
                h *= m;
                h ^= k;
            }

            var rest = length % 4;
            if (rest >= 3)
            {
                h ^= (data[(length & ~3) + 2] & 0xff) << 16;
            }

            if (rest >= 2)
            {
                h ^= (data[(length & ~3) + 1] & 0xff) << 8;
            }

            if (rest >= 1)
            {
                h ^= data[length & ~3] & 0xff;
                h *= m;
            }

            h ^= (int)((uint)h >> 13);
            h *= m;
            h ^= (int)((uint)h >> 15);
        }

        return h;
    }
}
