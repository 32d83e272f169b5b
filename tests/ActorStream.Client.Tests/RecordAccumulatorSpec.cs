using ActorStream.Client.Config;
using ActorStream.Client.Producer;
using ActorStream.Client.Tests.Support;

namespace ActorStream.Client.Tests;

/// <summary>
/// The producer's append path: buffer memory is reserved in the same lock as the append (nothing is reserved when
/// there is no room), and the sender is woken only when a batch appears or fills, not on every record.
/// </summary>
public sealed class RecordAccumulatorSpec
{
    private static readonly TopicPartition Partition = new("t", 0);
    private static readonly byte[] Value = new byte[100];
    private const int RecordSize = 150;

    private static RecordAccumulator Accumulator(int batchSize = 16_384, long bufferMemory = 33_554_432) =>
        new(new ProducerConfig { BootstrapServers = "127.0.0.1:1", BatchSize = batchSize, BufferMemory = bufferMemory, Acks = Acks.Leader }, new ManualTimeProvider());

    [Fact]
    public void An_append_that_reserves_must_account_its_bytes_and_refuse_when_the_buffer_is_full()
    {
        using var accumulator = Accumulator(bufferMemory: 2 * RecordSize);

        Assert.NotNull(accumulator.Append(Partition, 0, null, Value, null, RecordSize, reserve: true));
        Assert.NotNull(accumulator.Append(Partition, 0, null, Value, null, RecordSize, reserve: true));
        Assert.Equal(2 * RecordSize, accumulator.BufferedBytes);

        Assert.Null(accumulator.Append(Partition, 0, null, Value, null, RecordSize, reserve: true));
        Assert.Equal(2 * RecordSize, accumulator.BufferedBytes);
    }

    [Fact]
    public void An_append_reserved_beforehand_must_not_reserve_again()
    {
        using var accumulator = Accumulator();
        Assert.True(accumulator.TryReserve(RecordSize));

        Assert.NotNull(accumulator.Append(Partition, 0, null, Value, null, RecordSize));

        Assert.Equal(RecordSize, accumulator.BufferedBytes);
    }

    [Fact]
    public void Only_a_new_batch_or_a_batch_filling_up_must_ask_to_wake_the_sender()
    {
        // A few records fill a batch; nothing is drained, so the queue grows to several batches.
        using var accumulator = Accumulator(batchSize: 600);
        var wakes = new List<bool>();
        var expected = new List<bool>();
        ProducerBatch? previous = null;
        var previousWasClosed = false;
        var batches = 0;
        for (var i = 0; i < 12; i++)
        {
            var appended = accumulator.Append(Partition, 0, null, Value, null, RecordSize, reserve: true)!.Value;
            var opened = !ReferenceEquals(appended.Batch, previous);
            var filledNow = appended.Batch.IsClosed && (opened || !previousWasClosed);
            batches += opened ? 1 : 0;
            expected.Add(opened || filledNow);
            wakes.Add(appended.QueueWasEmpty || appended.NewBatch || appended.BatchFull);
            previous = appended.Batch;
            previousWasClosed = appended.Batch.IsClosed;
        }

        Assert.True(batches >= 3, $"only {batches} batch(es): the queue must hold several");
        // Before, every record appended behind a full batch asked for a wake-up (two actor messages per record).
        Assert.Equal(expected, wakes);
        Assert.Contains(false, wakes);
    }
}
