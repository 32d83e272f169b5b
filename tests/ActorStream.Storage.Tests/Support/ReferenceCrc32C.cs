namespace ActorStream.Storage.Tests.Support;

/// <summary>Bit-at-a-time CRC-32C straight from the definition (reflected polynomial 0x82F63B78): the oracle for tests.</summary>
public static class ReferenceCrc32C
{
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFF_FFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F6_3B78u : crc >> 1;
            }
        }

        return ~crc;
    }
}
