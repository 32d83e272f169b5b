using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace ActorStream.Kafka.Protocol;

/// <summary>
/// Writes Kafka's primitive types into a buffer writer (a pooled one on the listener's path). The counterpart of
/// <see cref="KafkaReader"/>; record sets are copied in as the bytes they are.
/// </summary>
public ref struct KafkaWriter
{
    private readonly IBufferWriter<byte> _output;

    public KafkaWriter(IBufferWriter<byte> output)
    {
        _output = output;
        Written = 0;
    }

    /// <summary>Bytes written through this writer.</summary>
    public int Written { get; private set; }

    public void WriteInt8(sbyte value) => Take(1)[0] = (byte)value;

    public void WriteBool(bool value) => Take(1)[0] = value ? (byte)1 : (byte)0;

    public void WriteInt16(short value) => BinaryPrimitives.WriteInt16BigEndian(Take(2), value);

    public void WriteUInt16(ushort value) => BinaryPrimitives.WriteUInt16BigEndian(Take(2), value);

    public void WriteInt32(int value) => BinaryPrimitives.WriteInt32BigEndian(Take(4), value);

    public void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32BigEndian(Take(4), value);

    public void WriteInt64(long value) => BinaryPrimitives.WriteInt64BigEndian(Take(8), value);

    public void WriteFloat64(double value) => BinaryPrimitives.WriteDoubleBigEndian(Take(8), value);

    public void WriteUuid(Guid value) => KafkaUuid.ToBytes(value, Take(16));

    public void WriteUnsignedVarint(uint value)
    {
        Span<byte> buffer = stackalloc byte[5];
        var length = 0;
        while (value >= 0x80)
        {
            buffer[length++] = (byte)(value | 0x80);
            value >>= 7;
        }

        buffer[length++] = (byte)value;
        WriteRaw(buffer[..length]);
    }

    public void WriteVarint(int value) => WriteUnsignedVarint((uint)((value << 1) ^ (value >> 31)));

    public void WriteVarlong(long value)
    {
        var raw = (ulong)((value << 1) ^ (value >> 63));
        Span<byte> buffer = stackalloc byte[10];
        var length = 0;
        while (raw >= 0x80)
        {
            buffer[length++] = (byte)(raw | 0x80);
            raw >>= 7;
        }

        buffer[length++] = (byte)raw;
        WriteRaw(buffer[..length]);
    }

    public void WriteString(string value, bool compact) => WriteNullableString(value, compact);

    public void WriteNullableString(string? value, bool compact)
    {
        if (value is null)
        {
            if (compact)
            {
                WriteUnsignedVarint(0);
            }
            else
            {
                WriteInt16(-1);
            }

            return;
        }

        var length = Encoding.UTF8.GetByteCount(value);
        if (!compact && length > short.MaxValue)
        {
            throw new KafkaProtocolException($"A string of {length} bytes is longer than 32767");
        }

        if (compact)
        {
            WriteUnsignedVarint((uint)length + 1);
        }
        else
        {
            WriteInt16((short)length);
        }

        Encoding.UTF8.GetBytes(value, Take(length));
    }

    public void WriteBytes(byte[] value, bool compact) => WriteNullableBytes(value, compact);

    public void WriteNullableBytes(scoped ReadOnlySpan<byte> value, bool isNull, bool compact)
    {
        if (isNull)
        {
            WriteLength(-1, compact);
            return;
        }

        WriteLength(value.Length, compact);
        WriteRaw(value);
    }

    public void WriteNullableBytes(byte[]? value, bool compact) => WriteNullableBytes(value, value is null, compact);

    public void WriteRecords(ReadOnlyMemory<byte>? value, bool compact) =>
        WriteNullableBytes(value is { } records ? records.Span : default, value is null, compact);

    /// <summary>An array's element count, -1 for null.</summary>
    public void WriteArrayLength(int count, bool compact) => WriteLength(count, compact);

    public void WriteRaw(scoped ReadOnlySpan<byte> bytes) => bytes.CopyTo(Take(bytes.Length));

    /// <summary>An INT32 length of bytes or an array (-1: null), or compact: UNSIGNED_VARINT length + 1 (0: null).</summary>
    private void WriteLength(int length, bool compact)
    {
        if (compact)
        {
            WriteUnsignedVarint((uint)(length + 1));
        }
        else
        {
            WriteInt32(length);
        }
    }

    private Span<byte> Take(int count)
    {
        var span = _output.GetSpan(count)[..count];
        _output.Advance(count);
        Written += count;
        return span;
    }
}
