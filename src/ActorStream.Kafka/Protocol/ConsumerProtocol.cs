using System.Buffers;
using ActorStream.Kafka.Messages;

namespace ActorStream.Kafka.Protocol;

/// <summary>
/// Kafka's ConsumerProtocol (protocol type "consumer"): how a consumer's JoinGroup metadata
/// (<see cref="ConsumerProtocolSubscription"/>) and the leader's SyncGroup assignments
/// (<see cref="ConsumerProtocolAssignment"/>) are encoded inside those requests' bytes fields:
/// <code>
/// Subscription / Assignment => Version Struct
///   Version => INT16        (0-3 today)
///   Struct  => the schema at that version, never flexible
/// </code>
/// As Kafka's reader: a version below 0 is an error, a version above the newest known is read as the newest (a newer
/// version only appends fields, which are then left unread). The broker never needs these bytes; the gateway decodes
/// them only to tell the coordinator which topics and partitions a Kafka member has (describe, lag).
/// </summary>
internal static class ConsumerProtocol
{
    public const string ProtocolType = "consumer";

    public static byte[] SerializeSubscription(ConsumerProtocolSubscription subscription, short version) =>
        VersionPrefixed(subscription, version);

    public static byte[] SerializeAssignment(ConsumerProtocolAssignment assignment, short version) =>
        VersionPrefixed(assignment, version);

    /// <exception cref="KafkaProtocolException">The bytes are not a subscription.</exception>
    public static ConsumerProtocolSubscription DeserializeSubscription(ReadOnlyMemory<byte> bytes)
    {
        var reader = new KafkaReader(bytes);
        var version = ReadVersion(ref reader, ConsumerProtocolSubscription.HighestVersion, out var newer);
        var subscription = ConsumerProtocolSubscription.Read(ref reader, version);
        EnsureConsumed(reader, newer, nameof(ConsumerProtocolSubscription));
        return subscription;
    }

    /// <exception cref="KafkaProtocolException">The bytes are not an assignment.</exception>
    public static ConsumerProtocolAssignment DeserializeAssignment(ReadOnlyMemory<byte> bytes)
    {
        var reader = new KafkaReader(bytes);
        var version = ReadVersion(ref reader, ConsumerProtocolAssignment.HighestVersion, out var newer);
        var assignment = ConsumerProtocolAssignment.Read(ref reader, version);
        EnsureConsumed(reader, newer, nameof(ConsumerProtocolAssignment));
        return assignment;
    }

    /// <summary>The subscription in <paramref name="bytes"/>, or null when they are not one (best effort: never an exception).</summary>
    public static ConsumerProtocolSubscription? TryDeserializeSubscription(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            return DeserializeSubscription(bytes);
        }
        catch (KafkaProtocolException)
        {
            return null;
        }
    }

    /// <summary>The assignment in <paramref name="bytes"/>, or null when they are not one (best effort: never an exception).</summary>
    public static ConsumerProtocolAssignment? TryDeserializeAssignment(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            return DeserializeAssignment(bytes);
        }
        catch (KafkaProtocolException)
        {
            return null;
        }
    }

    private static short ReadVersion(ref KafkaReader reader, short highest, out bool newer)
    {
        var version = reader.ReadInt16();
        if (version < 0)
        {
            throw new KafkaProtocolException($"Unsupported consumer protocol version {version}");
        }

        newer = version > highest;
        return newer ? highest : version;
    }

    // A known version must be read exactly: trailing bytes mean these are not ConsumerProtocol bytes after all.
    private static void EnsureConsumed(KafkaReader reader, bool newer, string schema)
    {
        if (!newer && reader.Remaining != 0)
        {
            throw new KafkaProtocolException($"{reader.Remaining} bytes after the {schema}");
        }
    }

    private static byte[] VersionPrefixed(IKafkaMessage message, short version)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new KafkaWriter(buffer);
        writer.WriteInt16(version);
        message.Write(ref writer, version);
        return buffer.WrittenSpan.ToArray();
    }
}
