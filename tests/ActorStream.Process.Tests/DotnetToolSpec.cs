using System.Diagnostics;
using System.Text.RegularExpressions;
using ActorStream.Process.Tests.Support;

namespace ActorStream.Process.Tests;

/// <summary>
/// The README's install: <c>dotnet pack</c> makes the CLI a .NET tool package and <c>dotnet tool install</c> installs
/// it from that package alone (a nuget.config that clears every other source: no network), as the command
/// <c>actorstream</c>, whose <c>--version</c> shows the version and the git commit the SDK stamped.
/// </summary>
public sealed partial class DotnetToolSpec : IDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(5);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "actorstream-tool", Guid.NewGuid().ToString("N"));

    public DotnetToolSpec() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task The_packed_cli_must_install_as_a_dotnet_tool_that_prints_its_version_and_commit()
    {
        var root = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(CliProcess.CliDll)!, "..", "..", "..", "..", ".."));
        var configuration = CliProcess.CliDll.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var packages = Path.Combine(_dir, "nupkg");
        var tools = Path.Combine(_dir, "tools");
        var nugetConfig = Path.Combine(_dir, "nuget.config");
        await File.WriteAllTextAsync(nugetConfig, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{packages}" />
              </packageSources>
            </configuration>
            """);

        // --no-build: the suite has built the CLI; the publish step of the tool pack writes into the temp dir.
        await RunOkAsync(root, "dotnet", "pack", Path.Combine(root, "src", "ActorStream.Cli", "ActorStream.Cli.csproj"), "-c", configuration, "--no-build",
            "-o", packages, $"-p:PublishDir={Path.Combine(_dir, "publish")}/", $"-p:NuspecOutputPath={Path.Combine(_dir, "nuspec")}/", "-nologo");
        var package = Assert.Single(Directory.GetFiles(packages, "*.nupkg"));
        Assert.StartsWith("ActorStream.Cli.", Path.GetFileName(package), StringComparison.Ordinal);

        await RunOkAsync(_dir, "dotnet", "tool", "install", "--tool-path", tools, "--configfile", nugetConfig, "ActorStream.Cli");
        var version = (await RunOkAsync(_dir, Path.Combine(tools, "actorstream"), "--version")).Trim();

        // The version of Directory.Build.props, then the commit, which must be one of this repository's commits.
        var prefix = VersionPrefix().Match(await File.ReadAllTextAsync(Path.Combine(root, "Directory.Build.props"))).Groups[1].Value;
        var match = VersionLine().Match(version);
        Assert.True(match.Success, $"'{version}' is not <version>+<40-hex commit>");
        Assert.Equal(prefix, match.Groups["version"].Value);
        Assert.Equal("commit", (await RunOkAsync(root, "git", "cat-file", "-t", match.Groups["commit"].Value)).Trim());

        // The installed tool is this build, not a cached older package.
        Assert.Equal(version, (await RunOkAsync(_dir, "dotnet", CliProcess.CliDll, "--version")).Trim());
    }

    private static async Task<string> RunOkAsync(string workingDirectory, string fileName, params string[] args)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        using var process = System.Diagnostics.Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', args)} did not finish in {CommandTimeout}");
        }

        Assert.True(process.ExitCode == 0, $"{fileName} {string.Join(' ', args)} exited {process.ExitCode}: {await stderr}\n{await stdout}");
        return await stdout;
    }

    [GeneratedRegex(@"<VersionPrefix>([^<]+)</VersionPrefix>")]
    private static partial Regex VersionPrefix();

    [GeneratedRegex(@"^(?<version>\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)\+(?<commit>[0-9a-f]{40})$")]
    private static partial Regex VersionLine();
}
