using System.Runtime.InteropServices;
using ActorStream.Storage.Log;
using Google.Protobuf;

namespace ActorStream.Protocol.Serialization;

/// <summary>
/// Wire format of the messages that carry record batches (produce requests, fetch responses, partition appends and
/// fetch results): the message without its record bytes as protobuf, then the record bytes raw. On receive the records
/// are slices of the received array, not copies, so a batch is copied once less per hop than protobuf's own parse
/// (which copies every <c>bytes</c> field).
/// <code>
/// [0x00]                 frame marker: a protobuf message never starts with tag 0
/// [0x01]                 frame version
/// [varint n]             number of record fields, in <see cref="RecordsCodec"/> order
/// [varint length] × n    length of each record field
/// [varint length]        length of the skeleton
/// [skeleton]             the protobuf message with every record field empty
/// [records] × n          the record fields' bytes, back to back
/// </code>
/// A payload that does not start with 0x00 is a plain protobuf message (what earlier versions wrote): both are read.
/// </summary>
internal static class RecordsFrame
{
    public const byte Marker = 0x00;
    public const byte Version = 0x01;

    public static bool IsFramed(byte[] bytes) => bytes.Length > 0 && bytes[0] == Marker;

    public static byte[] Write(IMessage message, RecordsCodec codec)
    {
        var records = codec.Records(message);
        var skeleton = codec.Skeleton(message);
        var skeletonLength = skeleton.CalculateSize();
        var total = 2 + CodedOutputStream.ComputeUInt32Size((uint)records.Length) + CodedOutputStream.ComputeUInt32Size((uint)skeletonLength) + skeletonLength;
        foreach (var r in records)
        {
            total += CodedOutputStream.ComputeUInt32Size((uint)r.Length) + r.Length;
        }

        var bytes = new byte[total];
        var position = 0;
        bytes[position++] = Marker;
        bytes[position++] = Version;
        position += WriteVarint(bytes.AsSpan(position), (uint)records.Length);
        foreach (var r in records)
        {
            position += WriteVarint(bytes.AsSpan(position), (uint)r.Length);
        }

        position += WriteVarint(bytes.AsSpan(position), (uint)skeletonLength);
        skeleton.WriteTo(bytes.AsSpan(position, skeletonLength));
        position += skeletonLength;
        for (var i = 0; i < records.Length; i++)
        {
            if (!TryCopy(records[i], bytes.AsSpan(position, records[i].Length)))
            {
                // The segment of a deferred read was deleted (retention) after the fetch was planned: send that
                // partition empty (the consumer fetches again and learns the new log start), never other bytes.
                return Write(codec.WithRecords(message, i, ByteString.Empty), codec);
            }

            position += records[i].Length;
        }

        return bytes;
    }

    /// <summary>Copies one record field; a deferred fetch read goes from the segment file straight into the payload.</summary>
    private static bool TryCopy(ByteString records, Span<byte> destination)
    {
        if (MemoryMarshal.TryGetMemoryManager<byte, DeferredFileRecords>(records.Memory, out var deferred))
        {
            return deferred.TryCopyTo(destination);
        }

        records.Span.CopyTo(destination);
        return true;
    }

    /// <summary>Reads a framed payload: the record fields become slices of <paramref name="bytes"/>, which the caller hands over.</summary>
    public static IMessage Read(byte[] bytes, MessageParser parser, RecordsCodec codec)
    {
        if (bytes.Length < 2 || bytes[1] != Version)
        {
            throw new System.Runtime.Serialization.SerializationException($"Unknown records frame version {(bytes.Length < 2 ? -1 : bytes[1])}");
        }

        var position = 2;
        var count = (int)ReadVarint(bytes, ref position);
        var lengths = count <= 16 ? stackalloc int[count] : new int[count];
        for (var i = 0; i < count; i++)
        {
            lengths[i] = (int)ReadVarint(bytes, ref position);
        }

        var skeletonLength = (int)ReadVarint(bytes, ref position);
        var message = parser.ParseFrom(bytes, position, skeletonLength);
        position += skeletonLength;
        var records = new ReadOnlyMemory<byte>[count];
        for (var i = 0; i < count; i++)
        {
            if ((uint)lengths[i] > (uint)(bytes.Length - position))
            {
                throw new System.Runtime.Serialization.SerializationException("A records frame is shorter than its lengths say");
            }

            records[i] = bytes.AsMemory(position, lengths[i]);
            position += lengths[i];
        }

        codec.SetRecords(message, records);
        return message;
    }

    private static int WriteVarint(Span<byte> destination, uint value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }

    private static uint ReadVarint(byte[] bytes, ref int position)
    {
        uint value = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            if (position >= bytes.Length)
            {
                throw new System.Runtime.Serialization.SerializationException("A records frame ends inside a varint");
            }

            var b = bytes[position++];
            value |= (uint)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new System.Runtime.Serialization.SerializationException("A records frame has a malformed varint");
    }
}
