using ActorStream.Kafka.Protocol;

namespace ActorStream.Kafka.Messages;

/// <summary>A Kafka request or response body, or a data schema; the generated classes in Generated/ implement it.</summary>
public interface IKafkaMessage
{
    void Write(ref KafkaWriter writer, short version);
}

/// <summary>A message type of one API: its key, the versions its schema defines, and how to read it.</summary>
public interface IKafkaMessage<TSelf> : IKafkaMessage
    where TSelf : IKafkaMessage<TSelf>
{
    static abstract short MessageApiKey { get; }

    static abstract short MessageLowestVersion { get; }

    static abstract short MessageHighestVersion { get; }

    static abstract bool IsFlexible(short version);

    static abstract TSelf Read(ref KafkaReader reader, short version);
}

/// <summary>
/// A data schema (Kafka's <c>"type": "data"</c>, such as ConsumerProtocolSubscription): versioned like a message but
/// without an api key or a header; it travels inside another message's bytes field.
/// </summary>
public interface IKafkaData<TSelf> : IKafkaMessage
    where TSelf : IKafkaData<TSelf>
{
    static abstract short MessageLowestVersion { get; }

    static abstract short MessageHighestVersion { get; }

    static abstract bool IsFlexible(short version);

    static abstract TSelf Read(ref KafkaReader reader, short version);
}
