using ActorStream.Protocol.Broker;
using ActorStream.Protocol.Client;
using Google.Protobuf;

namespace ActorStream.Protocol.Serialization;

/// <summary>
/// Where the record fields of a message type are (see <see cref="RecordsFrame"/>): lists them in a fixed order, makes
/// the message's skeleton (a clone with every record field empty; the clone shares the other fields' immutable
/// strings) and puts record slices back after a parse.
/// </summary>
internal abstract class RecordsCodec
{
    public static readonly IReadOnlyDictionary<Type, RecordsCodec> ByType = new Dictionary<Type, RecordsCodec>
    {
        [typeof(ProduceRequest)] = new Codec<ProduceRequest>(
            m => m.Partitions.Select(p => p.Records).ToArray(),
            m => m.Partitions.Count,
            (m, i, r) => m.Partitions[i].Records = r),
        [typeof(FetchResponse)] = new Codec<FetchResponse>(
            m => m.Partitions.Select(p => p.Records).ToArray(),
            m => m.Partitions.Count,
            (m, i, r) => m.Partitions[i].Records = r),
        [typeof(PartitionAppend)] = new Codec<PartitionAppend>(m => [m.Records], _ => 1, (m, _, r) => m.Records = r),
        [typeof(PartitionFetchResult)] = new Codec<PartitionFetchResult>(m => [m.Records], _ => 1, (m, _, r) => m.Records = r),
    };

    public abstract ByteString[] Records(IMessage message);

    public abstract IMessage Skeleton(IMessage message);

    public abstract void SetRecords(IMessage message, ReadOnlyMemory<byte>[] records);

    /// <summary>A clone of <paramref name="message"/> with record field <paramref name="index"/> replaced.</summary>
    public abstract IMessage WithRecords(IMessage message, int index, ByteString records);

    private sealed class Codec<T>(Func<T, ByteString[]> records, Func<T, int> count, Action<T, int, ByteString> set) : RecordsCodec
        where T : IMessage<T>, IDeepCloneable<T>
    {
        public override ByteString[] Records(IMessage message) => records((T)message);

        public override IMessage Skeleton(IMessage message)
        {
            var skeleton = ((T)message).Clone();
            for (var i = 0; i < count(skeleton); i++)
            {
                set(skeleton, i, ByteString.Empty);
            }

            return skeleton;
        }

        public override IMessage WithRecords(IMessage message, int index, ByteString records)
        {
            var clone = ((T)message).Clone();
            set(clone, index, records);
            return clone;
        }

        public override void SetRecords(IMessage message, ReadOnlyMemory<byte>[] slices)
        {
            var typed = (T)message;
            if (slices.Length != count(typed))
            {
                throw new System.Runtime.Serialization.SerializationException($"A records frame of {typeof(T).Name} has {slices.Length} record fields for {count(typed)} slots");
            }

            for (var i = 0; i < slices.Length; i++)
            {
                set(typed, i, slices[i].IsEmpty ? ByteString.Empty : UnsafeByteOperations.UnsafeWrap(slices[i]));
            }
        }
    }
}
