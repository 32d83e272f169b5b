using ActorStream.Protocol;

namespace ActorStream.Client;

/// <summary>A broker or client error with Kafka's error code; <see cref="IsRetriable"/> follows Kafka's RetriableException.</summary>
public class ActorStreamException : Exception
{
    public ActorStreamException(ErrorCode errorCode, string message, Exception? innerException = null)
        : base($"{message} ({errorCode}, error code {(short)errorCode})", innerException)
    {
        ErrorCode = errorCode;
    }

    public ActorStreamException()
        : this(ErrorCode.UnknownServerError, "Unknown error")
    {
    }

    public ActorStreamException(string message)
        : this(ErrorCode.UnknownServerError, message)
    {
    }

    public ActorStreamException(string message, Exception innerException)
        : this(ErrorCode.UnknownServerError, message, innerException)
    {
    }

    public ErrorCode ErrorCode { get; }

    public bool IsRetriable => ErrorCode.IsRetriable();

    /// <summary>The partition the error is about, when there is one.</summary>
    public TopicPartition? TopicPartition { get; init; }

    internal static ActorStreamException For(TopicPartition tp, ErrorCode code, string? detail) =>
        new(code, Describe(tp, code, detail)) { TopicPartition = tp };

    /// <summary>A topic-level error (partition -1) names only the topic, which its detail already does.</summary>
    private static string Describe(TopicPartition tp, ErrorCode code, string? detail) =>
        (string.IsNullOrEmpty(detail), tp.Partition < 0) switch
        {
            (true, true) => $"{code} on topic {tp.Topic}",
            (true, false) => $"{code} on {tp}",
            (false, true) => detail!,
            (false, false) => $"{detail} [{tp}]",
        };
}
