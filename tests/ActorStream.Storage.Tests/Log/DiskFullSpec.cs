using System.Diagnostics;
using ActorStream.Storage.Errors;
using ActorStream.Storage.Log;
using ActorStream.Storage.Tests.Support;

namespace ActorStream.Storage.Tests.Log;

/// <summary>
/// Fills a real, small tmpfs (mounted by the test, which the README's test command runs as root) until writes fail.
/// </summary>
public sealed class DiskFullSpec : IDisposable
{
    private readonly TempDirectory _mountPoint = new();

    public DiskFullSpec()
    {
        Run("mount", $"-t tmpfs -o size=256k tmpfs {_mountPoint.Path}");
    }

    public void Dispose()
    {
        Run("umount", _mountPoint.Path);
        _mountPoint.Dispose();
    }

    private static void Run(string command, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(command, arguments) { RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(30_000), $"{command} did not finish");
        Assert.True(process.ExitCode == 0, $"{command} {arguments} failed ({error.Trim()}); this test needs root to mount a tmpfs");
    }

    [Fact]
    public void A_full_disk_must_fail_the_append_with_a_storage_error_and_keep_everything_already_stored()
    {
        var dir = Path.Combine(_mountPoint.Path, "topic-0");
        var filler = Path.Combine(_mountPoint.Path, "filler");
        File.WriteAllBytes(filler, new byte[64 * 1024]);
        long stored;
        using (var log = PartitionLog.Open(dir))
        {
            KafkaStorageException? failure = null;
            for (var i = 0; i < 1000 && failure is null; i++)
            {
                try
                {
                    log.AppendRecords(5, valueSize: 1000, firstValue: (int)log.LogEndOffset);
                }
                catch (KafkaStorageException e)
                {
                    failure = e;
                }
            }

            Assert.NotNull(failure);
            Assert.Equal(StorageErrorCode.KafkaStorageError, failure.ErrorCode);
            stored = log.LogEndOffset;
            Assert.True(stored > 0);
            Assert.Equal(Enumerable.Range(0, (int)stored).Select(i => $"v{i}"), log.ReadAll(0).Select(r => TestBatches.ValueText(r.Value)));

            // A smaller append that fits still works: the failed one left no partial bytes behind.
            var small = log.AppendRecords(1, valueSize: 1, firstValue: (int)stored);
            Assert.Equal(stored, small.FirstOffset);
            stored++;
        }

        // Opening while the disk is still full may fail, but only with a storage error and without leaking files.
        var whileFull = Record.Exception(() => PartitionLog.Open(dir).Dispose());
        Assert.True(whileFull is null or KafkaStorageException, $"unexpected {whileFull}");

        File.Delete(filler);
        using var reopened = PartitionLog.Open(dir);
        Assert.Equal(stored, reopened.LogEndOffset);
        Assert.Equal(0, reopened.RecoveredTruncatedBytes);
    }
}
