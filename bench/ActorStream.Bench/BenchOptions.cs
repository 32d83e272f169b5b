using System.Globalization;

namespace ActorStream.Bench;

/// <summary>
/// Command line of the suite (bench/run.sh passes it):
/// <c>--profile quick|full --cli actorstream.dll --work DIR --json FILE [--commit SHA] [--systems native,kafka,nats,redis] [--scale X]</c>.
/// </summary>
internal sealed record BenchOptions(string Profile, string CliDll, string WorkDirectory, string JsonPath, string Commit, IReadOnlySet<string> Systems, double Scale)
{
    public static readonly string[] AllSystems = ["native", "kafka", "nats", "redis"];

    public bool Full => Profile == "full";

    public static BenchOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>();
        for (var i = 0; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"expected --name value at '{args[i]}'");
            }

            values[args[i][2..]] = args[i + 1];
        }

        string Required(string name) => values.TryGetValue(name, out var value) ? value : throw new ArgumentException($"--{name} is required");
        var profile = values.GetValueOrDefault("profile", "quick");
        if (profile is not ("quick" or "full"))
        {
            throw new ArgumentException($"--profile is quick or full, not '{profile}'");
        }

        var systems = values.GetValueOrDefault("systems", string.Join(',', AllSystems)).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
        if (systems.Except(AllSystems).FirstOrDefault() is { } unknown)
        {
            throw new ArgumentException($"--systems: unknown system '{unknown}' (known: {string.Join(", ", AllSystems)})");
        }

        return new BenchOptions(
            profile,
            Required("cli"),
            Required("work"),
            Required("json"),
            values.GetValueOrDefault("commit", "unknown"),
            systems,
            double.Parse(values.GetValueOrDefault("scale", "1"), CultureInfo.InvariantCulture));
    }

    /// <summary>A record count of the profile, times <c>--scale</c>.</summary>
    public long Records(long quick, long full) => Math.Max(1_000, (long)((Full ? full : quick) * Scale));
}
