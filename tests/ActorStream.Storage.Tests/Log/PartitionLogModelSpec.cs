using ActorStream.Storage.Errors;
using ActorStream.Storage.Log;
using ActorStream.Storage.Records;
using ActorStream.Storage.Tests.Support;
using CsCheck;

namespace ActorStream.Storage.Tests.Log;

/// <summary>
/// Random sequences of appends, reads, rolls, truncations, record deletions, retention, clean reopens and crashes
/// run against the real log and against a list of batches in memory; after every step both must agree.
/// </summary>
public class PartitionLogModelSpec
{
    private abstract record Op;
    private sealed record Append(int Records, int ValueSize) : Op;
    private sealed record Read(double Where, int MaxBytes) : Op;
    private sealed record Roll : Op;
    private sealed record TruncateToBatch(double Where) : Op;
    private sealed record DeleteBefore(double Where) : Op;
    private sealed record RetainBytes(double Fraction) : Op;
    private sealed record Reopen(bool Crash) : Op;

    private static readonly Gen<Op> OpGen = Gen.Frequency(
        (8, Gen.Select(Gen.Int[1, 6], Gen.Int[0, 120], (n, size) => (Op)new Append(n, size))),
        (3, Gen.Select(Gen.Double[0, 1], Gen.Int[1, 3000], (w, max) => (Op)new Read(w, max))),
        (1, Gen.Const((Op)new Roll())),
        (1, Gen.Double[0, 1].Select(w => (Op)new TruncateToBatch(w))),
        (1, Gen.Double[0, 1].Select(w => (Op)new DeleteBefore(w))),
        (1, Gen.Double[0, 1].Select(f => (Op)new RetainBytes(f))),
        (1, Gen.Bool.Select(c => (Op)new Reopen(c))));

    /// <summary>The model: every batch (base offset, values) still in the log, plus the log start offset.</summary>
    private sealed class Model
    {
        public List<(long Base, string[] Values)> Batches { get; } = [];
        public long LogStart { get; set; }
        public long LogEnd => Batches.Count == 0 ? LogStart : Batches[^1].Base + Batches[^1].Values.Length;
        public int NextValue { get; set; }

        public IEnumerable<string> VisibleValues() =>
            Batches.SelectMany(b => b.Values.Select((v, i) => (Offset: b.Base + i, v))).Where(x => x.Offset >= LogStart).Select(x => x.v);
    }

    private static readonly LogConfig Config = LogConfig.Default with { SegmentBytes = 1500, IndexIntervalBytes = 200 };

    [Fact]
    public void Random_operation_sequences_must_agree_with_the_in_memory_model() =>
        OpGen.Array[1, 40].Sample(ops =>
        {
            using var dir = new TempDirectory();
            var log = PartitionLog.Open(dir.Path, Config);
            var model = new Model();
            try
            {
                foreach (var op in ops)
                {
                    log = Apply(op, log, model, dir.Path);
                    Assert.Equal(model.LogEnd, log.LogEndOffset);
                    Assert.Equal(model.LogStart, log.LogStartOffset);
                }

                Assert.Equal(model.VisibleValues(), log.ReadAll(model.LogStart).Select(r => TestBatches.ValueText(r.Value)));
            }
            finally
            {
                log.Dispose();
            }
        }, iter: 60);

    private static PartitionLog Apply(Op op, PartitionLog log, Model model, string dir)
    {
        switch (op)
        {
            case Append(var records, var size):
                var info = log.AppendRecords(records, valueSize: size, firstValue: model.NextValue);
                Assert.Equal(model.LogEnd, info.FirstOffset);
                model.Batches.Add((info.FirstOffset, Enumerable.Range(model.NextValue, records).Select(i => $"v{i}").ToArray()));
                model.NextValue += records;
                break;

            case Read(var where, var maxBytes):
                var offset = model.LogStart + (long)(where * (model.LogEnd - model.LogStart));
                var fetched = log.Read(offset, maxBytes);
                if (offset == model.LogEnd)
                {
                    Assert.True(fetched.Records.IsEmpty);
                    break;
                }

                var batches = RecordBatchReader.ReadBatches(fetched.Records.ToArray()).ToList();
                var holding = model.Batches.Single(b => b.Base <= offset && offset < b.Base + b.Values.Length);
                Assert.Equal(holding.Base, batches[0].Header.BaseOffset);
                Assert.True(batches.Count == 1 || fetched.Records.Length <= maxBytes);
                Assert.Throws<OffsetOutOfRangeException>(() => log.Read(model.LogEnd + 1, maxBytes));
                break;

            case Roll:
                log.Roll();
                break;

            case TruncateToBatch(var where):
                var candidates = model.Batches.Where(b => b.Base >= model.LogStart).ToList();
                if (candidates.Count > 0)
                {
                    var target = candidates[(int)(where * (candidates.Count - 1))].Base;
                    Assert.Equal(target, log.TruncateTo(target));
                    model.Batches.RemoveAll(b => b.Base >= target);
                }

                break;

            case DeleteBefore(var where):
                var before = model.LogStart + (long)(where * (model.LogEnd - model.LogStart));
                log.DeleteRecordsBefore(before);
                model.LogStart = Math.Max(model.LogStart, before);
                break;

            case RetainBytes(var fraction):
                log.UpdateConfig(Config with { RetentionBytes = (long)(fraction * log.Size), RetentionMs = -1 });
                log.EnforceRetention();
                log.UpdateConfig(Config);
                // Retention removes whole segments from the front: the log start may only move forward, and
                // what remains must be exactly the model's suffix.
                Assert.True(log.LogStartOffset >= model.LogStart);
                model.LogStart = log.LogStartOffset;
                model.Batches.RemoveAll(b => b.Base + b.Values.Length <= log.LogStartOffset);
                break;

            case Reopen(var crash):
                if (crash)
                {
                    log.CloseWithoutMarker();
                }
                else
                {
                    log.Dispose();
                }

                log = PartitionLog.Open(dir, Config);
                Assert.Equal(!crash, log.OpenedCleanly);
                Assert.Equal(0, log.RecoveredTruncatedBytes);
                break;
        }

        return log;
    }
}
