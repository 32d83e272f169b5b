using System.Buffers.Binary;

namespace ActorStream.Storage.Index;

/// <summary>
/// The <c>.index</c> file: a sparse map from offset to file position, one entry every
/// <c>index.interval.bytes</c>. Entry layout (8 bytes, big-endian, as Kafka): relative offset int32, position int32.
/// </summary>
internal sealed class OffsetIndex : SparseIndex<OffsetPosition>
{
    public const int EntryBytes = 8;

    private OffsetIndex(string path, long baseOffset, OffsetPosition[] entries, int count)
        : base(path, baseOffset, entries, count)
    {
    }

    protected override int EntrySize => EntryBytes;

    protected override long KeyOf(in OffsetPosition entry) => entry.Offset;

    protected override void Encode(in OffsetPosition entry, Span<byte> destination)
    {
        BinaryPrimitives.WriteInt32BigEndian(destination, checked((int)(entry.Offset - BaseOffset)));
        BinaryPrimitives.WriteInt32BigEndian(destination[4..], entry.Position);
    }

    public static OffsetIndex CreateEmpty(string path, long baseOffset)
    {
        var index = new OffsetIndex(path, baseOffset, new OffsetPosition[16], 0);
        index.Rewrite();
        return index;
    }

    /// <summary>
    /// Loads the file and checks it against the segment: strictly increasing offsets and positions, every position
    /// inside the segment. Returns null when the file is missing or fails a check (the caller rebuilds it).
    /// </summary>
    public static OffsetIndex? TryLoad(string path, long baseOffset, long segmentSize)
    {
        var bytes = ReadFile(path, EntryBytes);
        if (bytes is null)
        {
            return null;
        }

        var count = bytes.Length / EntryBytes;
        var entries = new OffsetPosition[Math.Max(16, count)];
        for (var i = 0; i < count; i++)
        {
            var span = bytes.AsSpan(i * EntryBytes);
            var entry = new OffsetPosition(
                baseOffset + BinaryPrimitives.ReadInt32BigEndian(span),
                BinaryPrimitives.ReadInt32BigEndian(span[4..]));
            if (entry.Offset < baseOffset || entry.Position < 0 || entry.Position >= segmentSize
                || (i > 0 && (entry.Offset <= entries[i - 1].Offset || entry.Position <= entries[i - 1].Position)))
            {
                return null;
            }

            entries[i] = entry;
        }

        return new OffsetIndex(path, baseOffset, entries, count);
    }

    /// <summary>The last entry at or before byte <paramref name="position"/> whose offset is ≤ <paramref name="maxOffset"/>.</summary>
    public OffsetPosition? FloorByPositionAndOffset(long position, long maxOffset) =>
        LastWhere(e => e.Position <= position && e.Offset <= maxOffset);

    public void Append(long offset, int position)
    {
        if (LastEntry is { } last && (offset <= last.Offset || position <= last.Position))
        {
            throw new InvalidOperationException($"Offset index entry ({offset}, {position}) does not follow ({last.Offset}, {last.Position})");
        }

        AppendEntry(new OffsetPosition(offset, position));
    }
}
