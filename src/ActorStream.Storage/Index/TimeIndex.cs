using System.Buffers.Binary;

namespace ActorStream.Storage.Index;

/// <summary>
/// The <c>.timeindex</c> file: a sparse map from the largest timestamp seen so far to the offset of the batch
/// holding it, appended beside offset index entries and when a segment closes. Entry layout (12 bytes,
/// big-endian, as Kafka): timestamp int64, relative offset int32. Timestamps never decrease.
/// </summary>
internal sealed class TimeIndex : SparseIndex<TimestampOffset>
{
    public const int EntryBytes = 12;

    private TimeIndex(string path, long baseOffset, TimestampOffset[] entries, int count)
        : base(path, baseOffset, entries, count)
    {
    }

    protected override int EntrySize => EntryBytes;

    protected override long KeyOf(in TimestampOffset entry) => entry.Timestamp;

    protected override void Encode(in TimestampOffset entry, Span<byte> destination)
    {
        BinaryPrimitives.WriteInt64BigEndian(destination, entry.Timestamp);
        BinaryPrimitives.WriteInt32BigEndian(destination[8..], checked((int)(entry.Offset - BaseOffset)));
    }

    public static TimeIndex CreateEmpty(string path, long baseOffset)
    {
        var index = new TimeIndex(path, baseOffset, new TimestampOffset[16], 0);
        index.Rewrite();
        return index;
    }

    /// <summary>Loads and checks the file (non-decreasing timestamps and offsets, offsets below <paramref name="nextOffset"/>); null when it fails.</summary>
    public static TimeIndex? TryLoad(string path, long baseOffset, long nextOffset)
    {
        var bytes = ReadFile(path, EntryBytes);
        if (bytes is null)
        {
            return null;
        }

        var count = bytes.Length / EntryBytes;
        var entries = new TimestampOffset[Math.Max(16, count)];
        for (var i = 0; i < count; i++)
        {
            var span = bytes.AsSpan(i * EntryBytes);
            var entry = new TimestampOffset(
                BinaryPrimitives.ReadInt64BigEndian(span),
                baseOffset + BinaryPrimitives.ReadInt32BigEndian(span[8..]));
            if (entry.Offset < baseOffset || entry.Offset >= nextOffset
                || (i > 0 && (entry.Timestamp <= entries[i - 1].Timestamp || entry.Offset < entries[i - 1].Offset)))
            {
                return null;
            }

            entries[i] = entry;
        }

        return new TimeIndex(path, baseOffset, entries, count);
    }

    /// <summary>Adds an entry when <paramref name="timestamp"/> is larger than the last one's (else nothing).</summary>
    public void MaybeAppend(long timestamp, long offset)
    {
        if (LastEntry is { } last && (timestamp <= last.Timestamp || offset < last.Offset))
        {
            return;
        }

        AppendEntry(new TimestampOffset(timestamp, offset));
    }

    /// <summary>Drops entries pointing at offsets ≥ <paramref name="offset"/> (offsets never decrease, so a suffix).</summary>
    public void TruncateFromOffset(long offset)
    {
        var kept = Count;
        while (kept > 0 && EntryAt(kept - 1).Offset >= offset)
        {
            kept--;
        }

        TruncateToCount(kept);
    }
}
