using Akka.Actor;
using ActorStream.Client.Config;
using ActorStream.Client.Connection;
using ActorStream.Client.Serialization;
using ActorStream.Protocol;
using ActorStream.Protocol.Client;
using ActorStream.Storage.Records;

namespace ActorStream.Client.Producer;

/// <summary>
/// The producer: serializer → partitioner (explicit partition, murmur2 of the key, sticky for null keys) →
/// <see cref="RecordAccumulator"/> → one <see cref="NodeBatchActor"/> per node. Thread-safe. Connects in the
/// background when constructed; the first produce waits for that (and for the idempotent producer id).
/// </summary>
public sealed class Producer<TKey, TValue> : IProducer<TKey, TValue>
{
    private readonly ProducerConfig _config;
    private readonly ISerializer<TKey> _keySerializer;
    private readonly ISerializer<TValue> _valueSerializer;
    private readonly RecordAccumulator _accumulator;
    private readonly StickyPartitionCache _sticky = new();
    private readonly Task<(ClientConnection Connection, IActorRef Actor)> _started;
    private readonly object _orderLock = new();
    private Task _waiting = Task.CompletedTask;
    private int _disposed;

    public Producer(ProducerConfig config, ISerializer<TKey>? keySerializer = null, ISerializer<TValue>? valueSerializer = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        _config = config;
        _keySerializer = keySerializer ?? Serializers.Default<TKey>()
            ?? throw new ArgumentException($"No built-in serializer for {typeof(TKey).Name}: pass one", nameof(keySerializer));
        _valueSerializer = valueSerializer ?? Serializers.Default<TValue>()
            ?? throw new ArgumentException($"No built-in serializer for {typeof(TValue).Name}: pass one", nameof(valueSerializer));
        _accumulator = new RecordAccumulator(config, TimeProvider.System);
        _started = StartAsync();
    }

    /// <summary>The client's actor system (e.g. to materialize the Akka.Streams stages on).</summary>
    public ActorSystem System => Started.Connection.System;

    /// <summary>
    /// The producer actor: tell it a <see cref="ProduceRecord{TKey,TValue}"/> and receive a <see cref="DeliveryReport"/>.
    /// </summary>
    public IActorRef ActorRef => Started.Actor;

    /// <summary>Completes once the producer is connected (and has its idempotent producer id); faults if it cannot.</summary>
    public Task ConnectedTask => _started;

    private (ClientConnection Connection, IActorRef Actor) Started =>
        _started.IsCompletedSuccessfully ? _started.Result : _started.GetAwaiter().GetResult();

    private async Task<(ClientConnection, IActorRef)> StartAsync()
    {
        var connection = await ClientConnection.ConnectAsync(_config).ConfigureAwait(false);
        try
        {
            if (_accumulator.Idempotent)
            {
                var response = await connection.AskAnyAsync<InitProducerIdResponse>(new InitProducerIdRequest()).ConfigureAwait(false);
                if ((ErrorCode)response.ErrorCode != ErrorCode.None)
                {
                    throw new ActorStreamException((ErrorCode)response.ErrorCode, "InitProducerId failed");
                }

                _accumulator.ProducerId = response.ProducerId;
                _accumulator.ProducerEpoch = (short)response.ProducerEpoch;
            }

            var actor = connection.System.ActorOf(ProducerActor.Props(_config, _accumulator, connection, ProduceFromActor), "producer");
            return (connection, actor);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <remarks>
    /// Records passed by one thread are appended in call order (so per-partition order is the call order): the
    /// call appends synchronously when the producer is connected, knows the topic and has buffer room; otherwise it
    /// joins a FIFO of waiting calls, and no later call overtakes it.
    /// </remarks>
    public Task<RecordMetadata> ProduceAsync(
        string topic,
        TKey? key,
        TValue value,
        int? partition = null,
        long? timestamp = null,
        IReadOnlyList<RecordHeader>? headers = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var keyBytes = _keySerializer.Serialize(key, topic);
        var valueBytes = _valueSerializer.Serialize(value, topic);
        var record = new PendingRecord(topic, keyBytes, valueBytes, partition, timestamp ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), headers);
        var recordSize = RecordBatchBuilder.EstimateRecordSize(keyBytes?.Length ?? -1, valueBytes?.Length ?? -1, HeaderBytes(headers));
        if (recordSize + RecordBatch.HeaderSize > _config.MaxRequestSize || recordSize > _config.BufferMemory)
        {
            return Task.FromException<RecordMetadata>(new ActorStreamException(
                ErrorCode.MessageTooLarge,
                $"The record is {recordSize} bytes when serialized, larger than max.request.size ({_config.MaxRequestSize}) or buffer.memory ({_config.BufferMemory}) [{topic}]"));
        }

        lock (_orderLock)
        {
            if (_waiting.IsCompleted && _started.IsCompletedSuccessfully)
            {
                var (connection, actor) = _started.Result;
                if (connection.Metadata.PartitionCount(topic) is { } count)
                {
                    try
                    {
                        // Reserves buffer.memory and appends under one accumulator lock; null: no room now.
                        if (Append(connection, actor, record, count, recordSize, reserve: true) is { } appended)
                        {
                            return appended;
                        }
                    }
                    catch (ActorStreamException e)
                    {
                        return Task.FromException<RecordMetadata>(e);
                    }
                }
            }

            var previous = _waiting;
            var turn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting = turn.Task;
            var deadline = DateTimeOffset.UtcNow.AddMilliseconds(_config.MaxBlockMs);
            return ProduceInTurnAsync(previous, turn, record, recordSize, deadline, cancellationToken);
        }
    }

    private async Task<RecordMetadata> ProduceInTurnAsync(Task previous, TaskCompletionSource turn, PendingRecord record, int recordSize, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        Task<RecordMetadata> completion;
        try
        {
            await previous.WaitAsync(cancellationToken).ConfigureAwait(false);
            var (connection, actor) = await _started.WaitAsync(cancellationToken).ConfigureAwait(false);
            var partitionCount = await WaitOnMetadataAsync(connection, record.Topic, deadline, cancellationToken).ConfigureAwait(false);
            await _accumulator.ReserveAsync(recordSize, deadline, cancellationToken).ConfigureAwait(false);
            try
            {
                completion = Append(connection, actor, record, partitionCount, recordSize, reserve: false)!;
            }
            catch
            {
                _accumulator.Release(recordSize);
                throw;
            }
        }
        finally
        {
            turn.TrySetResult();
        }

        return await completion.ConfigureAwait(false);
    }

    /// <summary>
    /// Picks the partition and appends. With <paramref name="reserve"/> the record's buffer memory is reserved in the
    /// same accumulator lock, and null is returned when there is no room; otherwise it was reserved before.
    /// </summary>
    private Task<RecordMetadata>? Append(ClientConnection connection, IActorRef actor, PendingRecord record, int partitionCount, int recordSize, bool reserve)
    {
        var topic = record.Topic;
        var sticky = false;
        int target;
        if (record.Partition is { } explicitPartition)
        {
            if (explicitPartition < 0 || explicitPartition >= partitionCount)
            {
                throw new ActorStreamException(ErrorCode.UnknownTopicOrPartition, $"Partition {explicitPartition} is not in [0, {partitionCount - 1}] of topic {topic}")
                {
                    TopicPartition = new TopicPartition(topic, explicitPartition),
                };
            }

            target = explicitPartition;
        }
        else if (record.Key is not null)
        {
            target = Murmur2.Partition(record.Key, partitionCount);
        }
        else
        {
            target = _sticky.Partition(topic, partitionCount);
            sticky = true;
        }

        var tp = new TopicPartition(topic, target);
        if (_accumulator.Append(tp, record.Timestamp, record.Key, record.Value, record.Headers, recordSize, reserve) is not { } appended)
        {
            return null;
        }

        if (sticky)
        {
            _sticky.OnAppended(topic, target, appended.Batch);
        }

        if (appended.QueueWasEmpty || appended.BatchFull || appended.NewBatch)
        {
            var leader = connection.Metadata.LeaderOf(tp);
            actor.Tell(leader >= 0 ? new ProducerActor.WakeUp(leader) : ProducerActor.RefreshMetadata.Instance);
        }

        return appended.Completion;
    }

    private async Task<int> WaitOnMetadataAsync(ClientConnection connection, string topic, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (connection.Metadata.PartitionCount(topic) is { } known)
            {
                return known;
            }

            var refreshed = await connection.RefreshAsync([topic], allowAutoTopicCreation: true, cancellationToken).ConfigureAwait(false);
            if (refreshed.PartitionCount(topic) is { } count)
            {
                return count;
            }

            if (DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(_config.RetryBackoffMs) >= deadline)
            {
                throw new ActorStreamException(ErrorCode.UnknownTopicOrPartition, $"Topic {topic} not present in metadata after {_config.MaxBlockMs} ms (max.block.ms)")
                {
                    TopicPartition = new TopicPartition(topic, -1),
                };
            }

            await Task.Delay(_config.RetryBackoffMs, cancellationToken).ConfigureAwait(false);
        }
    }

    private static int HeaderBytes(IReadOnlyList<RecordHeader>? headers)
    {
        if (headers is null)
        {
            return 0;
        }

        var size = 0;
        foreach (var header in headers)
        {
            size += 10 + global::System.Text.Encoding.UTF8.GetByteCount(header.Key) + (header.Value?.Length ?? 0);
        }

        return size;
    }

    private Task<RecordMetadata> ProduceFromActor(IProduceRecord record) => record is ProduceRecord<TKey, TValue> r
        ? ProduceAsync(r.Topic, r.Key, r.Value, r.Partition, r.Timestamp, r.Headers)
        : throw new ArgumentException($"This producer takes ProduceRecord<{typeof(TKey).Name}, {typeof(TValue).Name}>, not {record.GetType().Name}", nameof(record));

    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var (_, actor) = await _started.WaitAsync(cancellationToken).ConfigureAwait(false);
        await _accumulator.FlushAsync(() => actor.Tell(ProducerActor.WakeUpAll.Instance), cancellationToken).ConfigureAwait(false);
    }

    public bool Flush(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            FlushAsync(cts.Token).GetAwaiter().GetResult();
            return true;
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Flushes (bounded by <c>delivery.timeout.ms</c>), then stops the client.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        try
        {
            using var cts = new CancellationTokenSource(_config.DeliveryTimeoutMs);
            await FlushAsync(cts.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ActorStreamException or AskTimeoutException or ActorNotFoundException)
        {
            // Not connected or not flushed in time: what is left fails below.
        }

        if (_started.IsCompletedSuccessfully)
        {
            await _started.Result.Connection.DisposeAsync().ConfigureAwait(false);
        }

        _accumulator.Dispose();
    }
}
