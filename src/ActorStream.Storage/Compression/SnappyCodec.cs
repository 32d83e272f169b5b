using System.Buffers.Binary;
using ActorStream.Storage.Buffers;
using ActorStream.Storage.Errors;
using Snappier;

namespace ActorStream.Storage.Compression;

/// <summary>
/// Snappy in the xerial snappy-java stream framing that Kafka's Java client writes:
/// <code>
/// header: 0x82 'S' 'N' 'A' 'P' 'P' 'Y' 0x00, version int32 = 1, compatible version int32 = 1
/// blocks: [compressed length int32][raw snappy block], each block compressing at most 32 KiB
/// </code>
/// Reading also accepts a single raw snappy block without the header (what librdkafka writes).
/// </summary>
public sealed class SnappyCodec : CompressionCodec
{
    public static readonly SnappyCodec Instance = new();

    private const int XerialBlockSize = 32 * 1024;
    private const int XerialHeaderSize = 16;
    private static ReadOnlySpan<byte> XerialMagic => [0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0];

    public override CompressionType Type => CompressionType.Snappy;

    public override void Compress(ReadOnlySpan<byte> source, PooledBufferWriter destination)
    {
        var header = destination.GetSpan(XerialHeaderSize);
        XerialMagic.CopyTo(header);
        BinaryPrimitives.WriteInt32BigEndian(header[8..], 1);
        BinaryPrimitives.WriteInt32BigEndian(header[12..], 1);
        destination.Advance(XerialHeaderSize);

        while (!source.IsEmpty)
        {
            var block = source[..Math.Min(XerialBlockSize, source.Length)];
            source = source[block.Length..];
            var span = destination.GetSpan(4 + Snappy.GetMaxCompressedLength(block.Length));
            var length = Snappy.Compress(block, span[4..]);
            BinaryPrimitives.WriteInt32BigEndian(span, length);
            destination.Advance(4 + length);
        }
    }

    public override void Decompress(ReadOnlyMemory<byte> source, PooledBufferWriter destination, int maxOutputBytes)
    {
        var input = source.Span;
        try
        {
            if (input.Length >= XerialHeaderSize && input[..XerialMagic.Length].SequenceEqual(XerialMagic))
            {
                var total = 0;
                var position = XerialHeaderSize;
                while (position < input.Length)
                {
                    if (input.Length - position < 4)
                    {
                        throw new CorruptRecordException("snappy payload has a truncated xerial block length");
                    }

                    var length = BinaryPrimitives.ReadInt32BigEndian(input[position..]);
                    position += 4;
                    if (length < 0 || length > input.Length - position)
                    {
                        throw new CorruptRecordException($"snappy xerial block length {length} runs past the payload");
                    }

                    total += DecompressBlock(input.Slice(position, length), destination, maxOutputBytes - total);
                    position += length;
                }
            }
            else
            {
                DecompressBlock(input, destination, maxOutputBytes);
            }
        }
        catch (InvalidDataException e)
        {
            throw new CorruptRecordException($"snappy payload cannot be decompressed: {e.Message}", e);
        }
    }

    private static int DecompressBlock(ReadOnlySpan<byte> block, PooledBufferWriter destination, int remainingCap)
    {
        var length = Snappy.GetUncompressedLength(block);
        if (length > remainingCap)
        {
            throw new CorruptRecordException("snappy payload decompresses to more than the configured limit");
        }

        var written = Snappy.Decompress(block, destination.GetSpan(length));
        destination.Advance(written);
        return written;
    }
}
