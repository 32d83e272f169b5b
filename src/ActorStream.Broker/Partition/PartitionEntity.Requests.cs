using System.Runtime.InteropServices;
using Akka.Actor;
using Akka.Event;
using ActorStream.Protocol;
using ActorStream.Protocol.Broker;
using ActorStream.Storage.Errors;
using ActorStream.Storage.Log;
using ActorStream.Storage.Records;
using Google.Protobuf;

namespace ActorStream.Broker.Partition;

/// <summary>Produce, fetch and list-offsets handling of the leading partition.</summary>
public sealed partial class PartitionEntity
{
    private void HandleAppend(PartitionAppend append)
    {
        var log = _log!;
        if (append.Acks == -1 && _isr.Count < _minInsync)
        {
            Sender.Tell(Error(ErrorCode.NotEnoughReplicas, $"{Name} has {_isr.Count} in-sync replicas [{string.Join(',', _isr)}], fewer than min.insync.replicas={_minInsync}"));
            return;
        }

        // The request's bytes are ours (deserialized or handed over by the endpoint): patch offsets in place.
        var batches = MemoryMarshal.AsMemory(append.Records.Memory).Span;
        if (CheckProducerState(batches) is { } early)
        {
            if (append.Acks != 0)
            {
                Sender.Tell(early);
            }

            return;
        }

        PartitionAppendResult result;
        try
        {
            var info = log.Append(batches, _leaderEpoch);
            for (var position = 0; position < batches.Length;)
            {
                var header = RecordBatchHeader.Read(batches[position..]);
                _producers.OnAppended(header);
                position += header.SizeInBytes;
            }

            result = new PartitionAppendResult { BaseOffset = info.FirstOffset, LogStartOffset = log.LogStartOffset };
            if (append.Acks == -1)
            {
                _pendingAcks.Add(new PendingAck(Sender, info.LastOffset + 1, result));
            }
        }
        catch (StorageException e)
        {
            result = Error(ErrorCodeExtensions.FromStorage(e.ErrorCode), e.Message);
            if (e is KafkaStorageException)
            {
                _logger.Error(e, "[Partition {0}] Append failed", Name);
            }

            if (append.Acks != 0)
            {
                Sender.Tell(result);
            }

            return;
        }

        if (append.Acks == 1)
        {
            Sender.Tell(result);
        }

        WakeParkedFetches(replicas: true);
        AdvanceHighWatermark();
    }

    /// <summary>Answers duplicates and sequence errors before anything is appended; null when the append may go ahead.</summary>
    private PartitionAppendResult? CheckProducerState(ReadOnlySpan<byte> batches)
    {
        var position = 0;
        var count = 0;
        ProducerStateManager.Check first = default;
        while (batches.Length - position >= RecordBatch.HeaderSize)
        {
            var header = RecordBatchHeader.Read(batches[position..]);
            if (header.SizeInBytes < RecordBatch.HeaderSize)
            {
                return null; // malformed: the log's validation answers CORRUPT_MESSAGE
            }

            var check = _producers.CheckBatch(header);
            if (count == 0)
            {
                first = check;
            }
            else if (check.Verdict != ProducerStateManager.Verdict.Append)
            {
                return Error(ErrorCode.OutOfOrderSequenceNumber, check.Reason ?? "A retried batch cannot share a request with new batches");
            }

            count++;
            position += header.SizeInBytes;
        }

        return first.Verdict switch
        {
            ProducerStateManager.Verdict.Append => null,
            ProducerStateManager.Verdict.Duplicate when count == 1 =>
                new PartitionAppendResult { BaseOffset = first.DuplicateFirstOffset, LogStartOffset = _log!.LogStartOffset },
            ProducerStateManager.Verdict.InvalidProducerEpoch => Error(ErrorCode.InvalidProducerEpoch, first.Reason!),
            _ => Error(ErrorCode.OutOfOrderSequenceNumber, first.Reason ?? "Duplicate batch in a multi-batch request"),
        };
    }

    /// <summary>
    /// The high watermark is the smallest log end offset of the in-sync replicas (<see cref="IsrLogEndOffset"/>): appends
    /// and follower fetches move it. Passing a pending <c>acks=all</c> batch answers it (NOT_ENOUGH_REPLICAS_AFTER_APPEND
    /// when the ISR shrank below <c>min.insync.replicas</c> meanwhile, as Kafka does: a retry is deduplicated).
    /// </summary>
    private void AdvanceHighWatermark()
    {
        var newHighWatermark = IsrLogEndOffset();
        if (newHighWatermark <= _highWatermark)
        {
            return;
        }

        _highWatermark = newHighWatermark;
        for (var i = _pendingAcks.Count - 1; i >= 0; i--)
        {
            if (_pendingAcks[i].RequiredOffset <= _highWatermark)
            {
                _pendingAcks[i].ReplyTo.Tell(_isr.Count >= _minInsync
                    ? _pendingAcks[i].Result
                    : Error(ErrorCode.NotEnoughReplicasAfterAppend, $"{Name} was written, but its ISR [{string.Join(',', _isr)}] shrank below min.insync.replicas={_minInsync}"));
                _pendingAcks.RemoveAt(i);
            }
        }

        WakeParkedFetches(replicas: false);
    }

    /// <summary>Answers parked fetches that can now read something: followers up to the log end, consumers up to the high watermark.</summary>
    private void WakeParkedFetches(bool replicas)
    {
        if (_parkedFetches.Count == 0)
        {
            return;
        }

        var limit = replicas ? _log!.LogEndOffset : _highWatermark;
        foreach (var (id, parked) in _parkedFetches.Where(p => p.Value.Request.HasReplicaId == replicas && p.Value.Request.FetchOffset < limit).ToList())
        {
            _parkedFetches.Remove(id);
            Timers.Cancel(("fetch", id));
            parked.ReplyTo.Tell(ReadForFetch(parked.Request));
        }
    }

    private void Park(PartitionFetch fetch)
    {
        var id = _nextParkId++;
        _parkedFetches[id] = new ParkedFetch(Sender, fetch);
        Timers.StartSingleTimer(("fetch", id), new ParkedFetchExpired(id), TimeSpan.FromMilliseconds(fetch.MaxWaitMs));
    }

    private void HandleFetch(PartitionFetch fetch)
    {
        if (fetch.HasReplicaId)
        {
            HandleReplicaFetch(fetch);
            return;
        }

        var log = _log!;
        if (CheckLeaderEpoch(fetch.HasCurrentLeaderEpoch, fetch.CurrentLeaderEpoch) is { } fenced)
        {
            Sender.Tell(FetchError(fenced.Code, fenced.Message));
            return;
        }

        if (fetch.FetchOffset < log.LogStartOffset || fetch.FetchOffset > log.LogEndOffset)
        {
            Sender.Tell(new PartitionFetchResult
            {
                ErrorCode = (int)ErrorCode.OffsetOutOfRange,
                ErrorMessage = $"Offset {fetch.FetchOffset} is out of range [{log.LogStartOffset}, {log.LogEndOffset}] of {Name}",
                HighWatermark = _highWatermark,
                LogStartOffset = log.LogStartOffset,
            });
            return;
        }

        if (fetch.FetchOffset < _highWatermark || fetch.MaxWaitMs <= 0)
        {
            Sender.Tell(ReadForFetch(fetch));
            return;
        }

        // Nothing committed past the offset yet: park until an append moves the high watermark, or the wait ends.
        Park(fetch);
    }

    private void HandleParkedFetchExpired(ParkedFetchExpired expired)
    {
        if (_parkedFetches.Remove(expired.Id, out var parked))
        {
            parked.ReplyTo.Tell(ReadForFetch(parked.Request));
        }
    }

    private PartitionFetchResult ReadForFetch(PartitionFetch fetch)
    {
        var log = _log!;
        try
        {
            var maxBytes = Math.Min(fetch.MaxBytes <= 0 ? _settings.MaxFetchResponseBytes : fetch.MaxBytes, _settings.MaxFetchResponseBytes);
            // Followers read up to the log end (that is how the high watermark moves); consumers up to the high watermark.
            var info = log.Read(fetch.FetchOffset, maxBytes, maxOffset: fetch.HasReplicaId ? long.MaxValue : _highWatermark);
            return new PartitionFetchResult
            {
                HighWatermark = _highWatermark,
                LogStartOffset = info.LogStartOffset,
                Records = info.Records.IsEmpty ? ByteString.Empty
                    : fetch.DeferredRead && !fetch.HasReplicaId ? UnsafeByteOperations.UnsafeWrap(new DeferredFileRecords(info.Records).Memory)
                    : UnsafeByteOperations.UnsafeWrap(info.Records.ToArray()),
            };
        }
        catch (StorageException e)
        {
            return new PartitionFetchResult
            {
                ErrorCode = (int)ErrorCodeExtensions.FromStorage(e.ErrorCode),
                ErrorMessage = e.Message,
                HighWatermark = _highWatermark,
                LogStartOffset = log.LogStartOffset,
            };
        }
    }

    /// <summary>
    /// Earliest (-2, and -4 earliest local: there is no tiered storage), latest (-1), max timestamp (-3, KIP-734) or by
    /// timestamp, each with the leader epoch of the offset. Like Kafka (KIP-207), a new leader whose high watermark has not
    /// yet reached the offset its epoch started at answers everything but earliest with OFFSET_NOT_AVAILABLE (retriable):
    /// its high watermark may still be older than the one the previous leader already showed, and offsets handed out must
    /// never go backwards across a leader change. A consumer's current leader epoch is checked as Kafka does.
    /// </summary>
    private void HandleListOffset(PartitionListOffset request)
    {
        var log = _log!;
        if (CheckLeaderEpoch(request.HasCurrentLeaderEpoch, request.CurrentLeaderEpoch) is { } fenced)
        {
            Sender.Tell(new PartitionListOffsetResult { ErrorCode = (int)fenced.Code, ErrorMessage = fenced.Message, Offset = -1, Timestamp = -1, LeaderEpoch = -1 });
            return;
        }

        var earliest = request.Timestamp is -2 or -4;
        if (!earliest && _highWatermark < CurrentEpochStartOffset)
        {
            Sender.Tell(new PartitionListOffsetResult
            {
                ErrorCode = (int)ErrorCode.OffsetNotAvailable,
                ErrorMessage = $"The leader's high watermark {_highWatermark} has not reached its epoch's start offset {CurrentEpochStartOffset} yet",
                Offset = -1,
                Timestamp = -1,
                LeaderEpoch = -1,
            });
            return;
        }

        PartitionListOffsetResult result;
        try
        {
            result = request.Timestamp switch
            {
                -2 or -4 => Found(-1, log.LogStartOffset),
                -1 => new PartitionListOffsetResult { Offset = _highWatermark, Timestamp = -1, LeaderEpoch = _leaderEpoch },
                -3 => log.MaxTimestampAndOffset(maxOffset: _highWatermark) is { } max
                    ? Found(max.Timestamp, max.Offset)
                    : new PartitionListOffsetResult { Offset = -1, Timestamp = -1, LeaderEpoch = -1 },
                < 0 => new PartitionListOffsetResult { ErrorCode = (int)ErrorCode.InvalidRequest, ErrorMessage = $"Invalid timestamp {request.Timestamp}", Offset = -1, Timestamp = -1, LeaderEpoch = -1 },
                _ => log.OffsetForTimestamp(request.Timestamp, maxOffset: _highWatermark) is { } found
                    ? Found(found.Timestamp, found.Offset)
                    : new PartitionListOffsetResult { Offset = -1, Timestamp = -1, LeaderEpoch = -1 },
            };
        }
        catch (StorageException e)
        {
            result = new PartitionListOffsetResult { ErrorCode = (int)ErrorCodeExtensions.FromStorage(e.ErrorCode), ErrorMessage = e.Message, Offset = -1, Timestamp = -1, LeaderEpoch = -1 };
        }

        Sender.Tell(result);
    }

    private PartitionListOffsetResult Found(long timestamp, long offset) =>
        new() { Offset = offset, Timestamp = timestamp, LeaderEpoch = offset < _highWatermark || _epochs.Count == 0 ? EpochOfOffset(offset) : _leaderEpoch };
}
