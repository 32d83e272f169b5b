using ActorStream.Protocol;
using ActorStream.Protocol.Client;

namespace ActorStream.Client.Connection;

/// <summary>
/// ListOffsets for many partitions: one request per leader node, retried after a metadata refresh while errors are
/// retriable and time is left. Timestamp -2 is the log start offset, -1 the end (high watermark).
/// </summary>
internal static class OffsetLookup
{
    public const long Earliest = -2;
    public const long Latest = -1;

    public static async Task<IReadOnlyDictionary<TopicPartition, (long Offset, long Timestamp)>> ListAsync(
        ClientConnection connection,
        IReadOnlyDictionary<TopicPartition, long> timestamps,
        TimeSpan timeout,
        TimeSpan backoff,
        CancellationToken cancellationToken)
    {
        var results = new Dictionary<TopicPartition, (long, long)>();
        var pending = new Dictionary<TopicPartition, long>(timestamps);
        var deadline = DateTimeOffset.UtcNow + timeout;
        connection.AddTopics(pending.Keys.Select(tp => tp.Topic));
        while (true)
        {
            var lastErrors = new Dictionary<TopicPartition, (ErrorCode, string)>();
            var metadata = connection.Metadata;
            var byNode = pending.Keys.GroupBy(metadata.LeaderOf).ToList();
            var requests = new List<Task<ListOffsetsResponse>>();
            foreach (var group in byNode)
            {
                var endpoint = group.Key >= 0 ? connection.Endpoint(group.Key) : null;
                if (endpoint is null)
                {
                    foreach (var tp in group)
                    {
                        lastErrors[tp] = (ErrorCode.LeaderNotAvailable, $"No leader known for {tp}");
                    }

                    continue;
                }

                var request = new ListOffsetsRequest();
                request.Partitions.AddRange(group.Select(tp => new ListOffsetsPartition { Topic = tp.Topic, Partition = tp.Partition, Timestamp = pending[tp] }));
                requests.Add(ClientConnection.AskAsync<ListOffsetsResponse>(endpoint, request, connection.RequestTimeout, cancellationToken));
            }

            foreach (var task in requests)
            {
                ListOffsetsResponse response;
                try
                {
                    response = await task.ConfigureAwait(false);
                }
                catch (ActorStreamException)
                {
                    continue; // timed out: the partitions stay pending
                }

                foreach (var answer in response.Partitions)
                {
                    var tp = new TopicPartition(answer.Topic, answer.Partition);
                    var code = (ErrorCode)answer.ErrorCode;
                    if (code == ErrorCode.None)
                    {
                        results[tp] = (answer.Offset, answer.Timestamp);
                        pending.Remove(tp);
                    }
                    else if (!code.IsRetriable())
                    {
                        throw ActorStreamException.For(tp, code, answer.ErrorMessage);
                    }
                    else
                    {
                        lastErrors[tp] = (code, answer.ErrorMessage);
                    }
                }
            }

            if (pending.Count == 0)
            {
                return results;
            }

            if (DateTimeOffset.UtcNow + backoff >= deadline)
            {
                var tp = pending.Keys.First();
                var (code, message) = lastErrors.TryGetValue(tp, out var e) ? e : (ErrorCode.RequestTimedOut, "ListOffsets got no answer");
                throw ActorStreamException.For(tp, code, $"{message} (gave up after {timeout.TotalMilliseconds} ms)");
            }

            await Task.Delay(backoff, cancellationToken).ConfigureAwait(false);
            await connection.RefreshAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }
}
