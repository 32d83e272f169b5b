using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using ActorStream.Kafka.Tests.Support;
using ActorStream.TestKit;
using Confluent.Kafka;

namespace ActorStream.Kafka.Tests.Groups;

/// <summary>
/// Debian's kcat 1.7.1 (librdkafka 2.0.2) unchanged as a balanced consumer, <c>kcat -G group topic</c>: two processes
/// in one group share the partitions and together print every record; each is stopped by PID (SIGTERM: kcat leaves
/// the group and exits). Skipped when kcat is not installed (the test command installs it).
/// </summary>
[Collection(KafkaGroupNodeCollection.Name)]
public sealed class KcatBalancedConsumerSpec(KafkaGroupNode node, ITestOutputHelper output)
{
    private const int Partitions = 6;

    private static readonly string? KcatPath = new[] { "/usr/bin/kcat", "/usr/local/bin/kcat" }.FirstOrDefault(File.Exists);

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [SkippableFact]
    public async Task Two_balanced_kcat_consumers_share_the_partitions_and_together_read_every_record()
    {
        Skip.If(KcatPath is null, "kcat is not installed (apt-get install -y kcat)");
        var topic = await node.CreateTopicAsync("kcat-group", Partitions);
        var groupId = KafkaNode.UniqueTopic("kcat-group");
        using var first = BalancedKcat.Start(KcatPath!, node.KafkaBootstrap, groupId, topic);
        using var second = BalancedKcat.Start(KcatPath!, node.KafkaBootstrap, groupId, topic);
        using var admin = KafkaClients.Admin(node.KafkaBootstrap, output);
        try
        {
            // Both members hold partitions once the group is Stable with two members that each have an assignment.
            await Eventually.TrueAsync(
                async () =>
                {
                    var groups = await admin.DescribeConsumerGroupsAsync([groupId]);
                    var group = groups.ConsumerGroupDescriptions.Single();
                    return group.State == ConsumerGroupState.Stable && group.Members.Count == 2
                        && group.Members.All(m => m.Assignment.TopicPartitions.Count > 0)
                        && group.Members.Sum(m => m.Assignment.TopicPartitions.Count) == Partitions;
                },
                Timeout,
                "the kcat group is Stable with two members sharing the partitions");

            using var producer = KafkaClients.Producer(node.KafkaBootstrap, output);
            var values = new List<string>();
            for (var partition = 0; partition < Partitions; partition++)
            {
                for (var i = 0; i < 10; i++)
                {
                    var value = $"{partition}-{i}";
                    await producer.ProduceAsync(new TopicPartition(topic, partition), new Message<byte[], byte[]> { Value = Encoding.UTF8.GetBytes(value) });
                    values.Add(value);
                }
            }

            await Eventually.TrueAsync(() => first.Records.Count + second.Records.Count >= values.Count, Timeout,
                $"the two kcat processes printed {values.Count} records between them");
            Assert.Equal(values.Order(), first.Records.Concat(second.Records).Select(r => r.Value).Order());
            Assert.NotEmpty(first.Records);
            Assert.NotEmpty(second.Records);
            Assert.Empty(first.Records.Select(r => r.Partition).Intersect(second.Records.Select(r => r.Partition)));
        }
        finally
        {
            output.WriteLine("first kcat: " + first.Stderr);
            output.WriteLine("second kcat: " + second.Stderr);
        }

        Assert.Equal(0, await first.StopAsync(Timeout));
        Assert.Equal(0, await second.StopAsync(Timeout));
    }

    /// <summary>A long-running <c>kcat -G</c> process printing <c>partition value</c> lines unbuffered (-u); stopped by its PID.</summary>
    private sealed class BalancedKcat : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _stderr = new();

        private BalancedKcat(Process process) => _process = process;

        public ConcurrentQueue<(int Partition, string Value)> Records { get; } = new();

        public string Stderr
        {
            get
            {
                lock (_stderr)
                {
                    return _stderr.ToString();
                }
            }
        }

        public static BalancedKcat Start(string kcat, string bootstrap, string groupId, string topic)
        {
            var info = new ProcessStartInfo(kcat)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
            };
            foreach (var arg in new[]
                     {
                         "-b", bootstrap, "-G", groupId, "-u", "-f", "%p %s\\n", "-X", "auto.offset.reset=earliest",
                         "-X", $"session.timeout.ms={KafkaGroupNode.SessionTimeoutMs}", "-X", "heartbeat.interval.ms=500",
                         "-X", "broker.address.family=v4", topic,
                     })
            {
                info.ArgumentList.Add(arg);
            }

            var process = new Process { StartInfo = info };
            var kcatProcess = new BalancedKcat(process);
            process.OutputDataReceived += (_, line) =>
            {
                if (line.Data?.Split(' ', 2) is [var partition, var value])
                {
                    kcatProcess.Records.Enqueue((int.Parse(partition, CultureInfo.InvariantCulture), value));
                }
            };
            process.ErrorDataReceived += (_, line) =>
            {
                lock (kcatProcess._stderr)
                {
                    kcatProcess._stderr.AppendLine(line.Data);
                }
            };
            try
            {
                process.Start();
            }
            catch (Win32Exception e)
            {
                throw new InvalidOperationException("kcat is not installed (apt-get install -y kcat)", e);
            }

            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return kcatProcess;
        }

        /// <summary>SIGTERM by PID (kcat closes its consumer: LeaveGroup) and the exit code.</summary>
        public async Task<int> StopAsync(TimeSpan timeout)
        {
            using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            await _process.WaitForExitAsync().WaitAsync(timeout);
            return _process.ExitCode;
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit();
            }

            _process.Dispose();
        }
    }
}
