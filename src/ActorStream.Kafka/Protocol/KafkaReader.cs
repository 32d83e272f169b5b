using System.Buffers.Binary;
using System.Text;

namespace ActorStream.Kafka.Protocol;

/// <summary>
/// Reads Kafka's primitive types (big-endian integers, varints, strings, bytes, arrays, uuids, tagged fields) from one
/// request or response body. Every length is checked against what is left before anything is allocated, so a corrupt
/// or hostile frame ends in a <see cref="KafkaProtocolException"/>, never in a huge allocation. Record sets are
/// returned as slices of the input, never copied or decoded.
/// </summary>
public ref struct KafkaReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ReadOnlyMemory<byte> _memory;
    private readonly ReadOnlySpan<byte> _span;
    private int _position;

    public KafkaReader(ReadOnlyMemory<byte> memory)
    {
        _memory = memory;
        _span = memory.Span;
        _position = 0;
    }

    public readonly int Position => _position;

    public readonly int Remaining => _span.Length - _position;

    /// <summary>The bytes not read yet.</summary>
    public readonly ReadOnlyMemory<byte> RemainingMemory => _memory[_position..];

    public sbyte ReadInt8() => (sbyte)Take(1)[0];

    public bool ReadBool() => Take(1)[0] != 0;

    public short ReadInt16() => BinaryPrimitives.ReadInt16BigEndian(Take(2));

    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16BigEndian(Take(2));

    public int ReadInt32() => BinaryPrimitives.ReadInt32BigEndian(Take(4));

    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32BigEndian(Take(4));

    public long ReadInt64() => BinaryPrimitives.ReadInt64BigEndian(Take(8));

    public double ReadFloat64() => BinaryPrimitives.ReadDoubleBigEndian(Take(8));

    /// <summary>A UUID as Kafka writes it: the most significant 64 bits first, then the least significant.</summary>
    public Guid ReadUuid() => KafkaUuid.FromBytes(Take(16));

    public uint ReadUnsignedVarint()
    {
        uint value = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            var b = Take(1)[0];
            value |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new KafkaProtocolException("A varint is longer than 5 bytes");
    }

    public int ReadVarint()
    {
        var raw = ReadUnsignedVarint();
        return (int)(raw >> 1) ^ -(int)(raw & 1);
    }

    public long ReadVarlong()
    {
        ulong value = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            var b = Take(1)[0];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return (long)(value >> 1) ^ -(long)(value & 1);
            }
        }

        throw new KafkaProtocolException("A varlong is longer than 10 bytes");
    }

    /// <summary>A non-null string: INT16 length (or, compact, UNSIGNED_VARINT length + 1), then UTF-8.</summary>
    public string ReadString(bool compact) =>
        ReadNullableString(compact) ?? throw new KafkaProtocolException("A non-nullable string is null");

    public string? ReadNullableString(bool compact)
    {
        var length = compact ? (int)ReadUnsignedVarint() - 1 : ReadInt16();
        if (length < 0)
        {
            return length == -1 ? null : throw new KafkaProtocolException($"A string has length {length}");
        }

        var bytes = Take(length);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new KafkaProtocolException("A string is not valid UTF-8");
        }
    }

    public byte[] ReadBytes(bool compact) =>
        ReadNullableBytes(compact) ?? throw new KafkaProtocolException("A non-nullable bytes field is null");

    public byte[]? ReadNullableBytes(bool compact)
    {
        var length = ReadBytesLength(compact);
        return length < 0 ? null : Take(length).ToArray();
    }

    /// <summary>A record set (RecordBatch bytes), as a slice of the input: records pass through undecoded.</summary>
    public ReadOnlyMemory<byte>? ReadRecords(bool compact)
    {
        var length = ReadBytesLength(compact);
        if (length < 0)
        {
            return null;
        }

        var start = _position;
        Take(length);
        return _memory.Slice(start, length);
    }

    /// <summary>
    /// An array's element count, -1 for a null array. A count above the bytes left cannot be honest (every element
    /// takes at least one byte) and is refused before the caller allocates for it.
    /// </summary>
    public int ReadArrayLength(bool compact)
    {
        var count = compact ? (long)ReadUnsignedVarint() - 1 : ReadInt32();
        if (count < -1 || count > Remaining)
        {
            throw new KafkaProtocolException($"An array claims {count} elements with {Remaining} bytes left");
        }

        return (int)count;
    }

    /// <summary>The number of fields in a tagged fields section (flexible versions only).</summary>
    public int ReadTaggedFieldCount()
    {
        var count = ReadUnsignedVarint();
        if (count > Remaining)
        {
            throw new KafkaProtocolException($"{count} tagged fields with {Remaining} bytes left");
        }

        return (int)count;
    }

    /// <summary>One tagged field's tag, and a reader over exactly its bytes (this reader moves past them).</summary>
    public KafkaReader ReadTaggedField(out int tag)
    {
        tag = (int)ReadUnsignedVarint();
        var size = ReadUnsignedVarint();
        if (size > Remaining)
        {
            throw new KafkaProtocolException($"Tagged field {tag} claims {size} bytes with {Remaining} left");
        }

        var start = _position;
        _position += (int)size;
        return new KafkaReader(_memory.Slice(start, (int)size));
    }

    /// <summary>Checks that a known tagged field's value used all of its bytes.</summary>
    public readonly void EnsureConsumed(int tag)
    {
        if (Remaining != 0)
        {
            throw new KafkaProtocolException($"Tagged field {tag} has {Remaining} bytes more than its value");
        }
    }

    /// <summary>An unknown tagged field, kept as raw bytes.</summary>
    public readonly TaggedField ToUnknownTaggedField(int tag) => new(tag, _span.ToArray());

    /// <summary>Skips a tagged fields section, for messages that keep none (headers).</summary>
    public void SkipTaggedFields()
    {
        var count = ReadTaggedFieldCount();
        for (var i = 0; i < count; i++)
        {
            ReadTaggedField(out _);
        }
    }

    public ReadOnlySpan<byte> ReadRaw(int length) => Take(length);

    private int ReadBytesLength(bool compact)
    {
        var length = compact ? (long)ReadUnsignedVarint() - 1 : ReadInt32();
        if (length < -1 || length > Remaining)
        {
            throw new KafkaProtocolException($"A bytes field claims {length} bytes with {Remaining} left");
        }

        return (int)length;
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || count > _span.Length - _position)
        {
            throw new KafkaProtocolException($"Truncated: {count} bytes needed at position {_position}, {Remaining} left");
        }

        var slice = _span.Slice(_position, count);
        _position += count;
        return slice;
    }
}
