using ActorStream.Storage.Log;
using ActorStream.Storage.Tests.Support;
using CsCheck;

namespace ActorStream.Storage.Tests.Log;

/// <summary>Read planning (index lookups for both ends) must pick exactly the batches a linear scan would.</summary>
public class LogReadPlanningSpec
{
    [Fact]
    public void Read_must_return_the_greedy_run_of_whole_batches_a_linear_scan_finds() =>
        Gen.Select(Gen.Int[1, 40].Array[5, 60], Gen.Int[0, 3000], Gen.Int[0, 2_000_000]).Sample(t =>
        {
            var (recordCounts, indexInterval, seed) = t;
            using var dir = new TempDirectory();
            using var log = PartitionLog.Open(dir.Path, LogConfig.Default with { IndexIntervalBytes = indexInterval });
            var batches = new List<(long Base, long Last, int Size)>();
            foreach (var count in recordCounts)
            {
                var info = log.AppendRecords(count, valueSize: 20);
                batches.Add((info.FirstOffset, info.LastOffset, info.SizeInBytes));
            }

            var random = new Random(seed);
            for (var probe = 0; probe < 20; probe++)
            {
                var offset = random.NextInt64(0, log.LogEndOffset);
                var maxBytes = random.Next(1, 6000);
                var maxOffset = random.NextInt64(offset, log.LogEndOffset + 2);
                var minOne = random.Next(2) == 0;

                var first = batches.FindIndex(b => b.Last >= offset);
                var expected = new List<int>();
                long total = 0;
                for (var i = first; i < batches.Count; i++)
                {
                    if (batches[i].Last >= maxOffset || (total + batches[i].Size > maxBytes && !(expected.Count == 0 && minOne)))
                    {
                        break;
                    }

                    expected.Add(i);
                    total += batches[i].Size;
                }

                var records = log.Read(offset, maxBytes, maxOffset, minOne).Records;
                Assert.Equal(total, records.Length);
                if (expected.Count > 0)
                {
                    Assert.Equal(batches[expected[0]].Base, records.FirstBatchBaseOffset);
                    Assert.Equal(batches[expected[^1]].Last, records.LastOffset);
                }
            }
        }, iter: 40);
}
