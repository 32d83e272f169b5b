using System.ComponentModel;
using System.Diagnostics;
using System.Text.RegularExpressions;
using ActorStream.Process.Tests.Support;

namespace ActorStream.Process.Tests;

/// <summary>
/// <c>docker/docker-compose.yml</c> and <c>docker/Dockerfile</c> without a Docker engine: the compose file must pass
/// <c>docker-compose config</c> (the python 1.29 tool test.sh installs), and the normalized output must describe three
/// ActorStream nodes joined by a seed list with a PostgreSQL journal, healthchecks, data volumes and published ports.
/// No Docker engine runs here: whether the image builds and the nodes really reach each other is not tested.
/// </summary>
public sealed class DockerComposeSpec
{
    private static readonly string[] Nodes = ["node1", "node2", "node3"];
    private static readonly TimeSpan ComposeTimeout = TimeSpan.FromSeconds(120);

    /// <summary>A password no other part of the file contains, so every place it lands can be found.</summary>
    private const string ProbePassword = "probe-Pa55word";

    private static string RepoRoot
    {
        get
        {
            var root = new DirectoryInfo(AppContext.BaseDirectory);
            while (root is not null && !File.Exists(Path.Combine(root.FullName, "ActorStream.sln")))
            {
                root = root.Parent;
            }

            Assert.True(root is not null, $"no ActorStream.sln above {AppContext.BaseDirectory}");
            return root!.FullName;
        }
    }

    private static string ComposeFile => Path.Combine(RepoRoot, "docker", "docker-compose.yml");

    [Fact]
    public async Task Compose_file_passes_docker_compose_config_with_three_nodes_postgres_and_a_kafka_ui()
    {
        var services = await ConfigServicesAsync();

        Assert.Equal(["kafka-ui", "node1", "node2", "node3", "postgres"], services.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_kafka_ui_reads_every_node_through_its_internal_Kafka_listener()
    {
        var services = await ConfigServicesAsync();
        var ui = services["kafka-ui"];
        var internalListeners = Nodes.Select(name =>
        {
            var advertised = Listeners(Option(services[name].ListItems("command"), "--kafka-advertised-listeners"));
            return $"{advertised["INTERNAL"].Host}:{advertised["INTERNAL"].Port}";
        });

        Assert.Equal(internalListeners, ui.Environment().GetValueOrDefault("KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS")?.Split(','));
        Assert.Matches(@"^provectuslabs/kafka-ui:v[0-9.]+$", ui.Scalar("image"));
        Assert.Equal("8080", ui.PublishedPorts().GetValueOrDefault("8080"));
    }

    [Fact]
    public async Task Every_node_joins_the_same_seed_list_with_its_own_id_host_and_ports()
    {
        var services = await ConfigServicesAsync();
        var seeds = new List<string[]>();
        var ids = new List<string>();
        var endpoints = new List<string>();
        foreach (var name in Nodes)
        {
            var node = services[name];
            var command = node.ListItems("command");
            Assert.Equal(["node", "start"], command.Take(2));
            var environment = node.Environment();
            var host = environment.GetValueOrDefault("ACTORSTREAM_HOST");
            var port = Option(command, "--port");
            Assert.Equal(name, host);
            Assert.Equal("/data", Option(command, "--data"));
            Assert.StartsWith("postgres:Host=postgres;", environment.GetValueOrDefault("ACTORSTREAM_JOURNAL"), StringComparison.Ordinal);
            ids.Add(Option(command, "--node-id"));
            endpoints.Add($"{host}:{port}");
            seeds.Add(Options(command, "--seed"));

            // The advertised port is the published host port: a node drops messages not addressed to its own address.
            var published = node.PublishedPorts();
            Assert.Equal(port, published.GetValueOrDefault(port));
            Assert.Equal("docker/Dockerfile", node.Scalar("build", "dockerfile"));
        }

        Assert.Equal(3, ids.Distinct().Count());
        Assert.Equal(6, services.Values.Where(s => Nodes.Contains(s.Name)).SelectMany(s => s.PublishedPorts().Keys).Distinct().Count());
        foreach (var seedList in seeds)
        {
            Assert.Equal(endpoints, seedList);
        }
    }

    [Fact]
    public async Task Every_node_has_an_internal_Kafka_listener_by_service_name_and_an_external_one_on_its_published_port()
    {
        var services = await ConfigServicesAsync();
        var externalPorts = new List<string>();
        foreach (var name in Nodes)
        {
            var node = services[name];
            var command = node.ListItems("command");
            Assert.Empty(Options(command, "--kafka-port"));
            var listeners = Listeners(Option(command, "--kafka-listeners"));
            var advertised = Listeners(Option(command, "--kafka-advertised-listeners"));
            Assert.Equal(["EXTERNAL", "INTERNAL"], listeners.Keys.Order(StringComparer.Ordinal));
            Assert.Equal(["EXTERNAL", "INTERNAL"], advertised.Keys.Order(StringComparer.Ordinal));

            // Both bind every interface of the container (empty host: ACTORSTREAM_BIND_HOST, 0.0.0.0).
            Assert.All(listeners.Values, l => Assert.Equal("", l.Host));
            // Other containers dial the service name on the internal port, which is not published.
            Assert.Equal((name, listeners["INTERNAL"].Port), advertised["INTERNAL"]);
            var published = node.PublishedPorts();
            Assert.False(published.ContainsKey(listeners["INTERNAL"].Port), $"{name} publishes its internal Kafka port");
            // Clients on the Docker host dial localhost on the published port, which is the listener's own port.
            var external = listeners["EXTERNAL"].Port;
            Assert.Equal(("localhost", external), advertised["EXTERNAL"]);
            Assert.Equal(external, published.GetValueOrDefault(external));
            externalPorts.Add(external);
        }

        Assert.Equal(["9092", "9093", "9094"], externalPorts);
    }

    /// <summary>Kafka's listener syntax, <c>NAME://host:port,...</c>, by name.</summary>
    private static Dictionary<string, (string Host, string Port)> Listeners(string value) =>
        value.Split(',').Select(entry =>
        {
            var match = Regex.Match(entry, "^([A-Z]+)://([^:]*):([0-9]+)$");
            Assert.True(match.Success, $"'{entry}' is not NAME://host:port");
            return (match.Groups[1].Value, (match.Groups[2].Value, match.Groups[3].Value));
        }).ToDictionary(e => e.Item1, e => e.Item2, StringComparer.Ordinal);

    [Fact]
    public async Task Every_node_binds_every_interface_and_advertises_its_service_name()
    {
        var services = await ConfigServicesAsync();
        foreach (var name in Nodes)
        {
            var node = services[name];
            var environment = node.Environment();
            Assert.Equal("0.0.0.0", environment.GetValueOrDefault("ACTORSTREAM_BIND_HOST"));
            Assert.Equal(name, environment.GetValueOrDefault("ACTORSTREAM_HOST"));
            Assert.Equal(name, node.Scalar("hostname"));
            Assert.DoesNotContain("--host", node.ListItems("command"));
        }
    }

    [Fact]
    public async Task The_journal_password_must_be_on_no_command_line()
    {
        var services = await ConfigServicesAsync(ProbePassword);
        foreach (var service in services.Values)
        {
            // Command lines are world-readable (/proc/PID/cmdline, ps): the command, entrypoint and healthcheck.
            foreach (var arg in service.ListItems("command").Concat(service.ListItems("entrypoint")).Concat(service.ListItems("healthcheck")))
            {
                Assert.DoesNotContain(ProbePassword, arg, StringComparison.Ordinal);
                Assert.DoesNotContain("password", arg, StringComparison.OrdinalIgnoreCase);
            }
        }

        foreach (var name in Nodes)
        {
            Assert.Contains($"Password={ProbePassword}", services[name].Environment().GetValueOrDefault("ACTORSTREAM_JOURNAL"), StringComparison.Ordinal);
        }

        Assert.Equal(ProbePassword, services["postgres"].Environment().GetValueOrDefault("POSTGRES_PASSWORD"));
    }

    [Fact]
    public async Task Every_node_has_a_tcp_healthcheck_without_dotnet_a_data_volume_and_waits_for_a_healthy_postgres()
    {
        var services = await ConfigServicesAsync();
        foreach (var name in Nodes)
        {
            var node = services[name];
            var port = Option(node.ListItems("command"), "--port");
            var test = node.ListItems("healthcheck");
            Assert.Equal(["CMD", "bash", "-c", $"test -f /data/meta.properties && exec 3<>/dev/tcp/127.0.0.1/{port}"], test);
            Assert.DoesNotContain(test, item => item.Contains("dotnet", StringComparison.Ordinal));
            Assert.True(node.MountsVolume($"{name}-data", "/data"), $"{name} does not mount the volume {name}-data at /data:\n{node}");
            Assert.Equal("service_healthy", node.Scalar("depends_on", "postgres", "condition"));
            Assert.Contains($"{name}-data", services.Volumes);
        }
    }

    [Fact]
    public async Task Postgres_has_a_pg_isready_healthcheck_and_a_volume()
    {
        var services = await ConfigServicesAsync();
        var postgres = services["postgres"];

        Assert.StartsWith("postgres:15", postgres.Scalar("image"), StringComparison.Ordinal);
        Assert.Contains(postgres.ListItems("healthcheck"), item => item.StartsWith("pg_isready", StringComparison.Ordinal));
        Assert.True(postgres.MountsVolume("postgres-data", "/var/lib/postgresql/data"), postgres.ToString());
        Assert.Contains("postgres-data", services.Volumes);
    }

    [Fact]
    public async Task Docker_compose_config_rejects_an_invalid_file()
    {
        // Proves the validator validates: the same file with an unknown depends_on condition must fail.
        var broken = (await File.ReadAllTextAsync(ComposeFile)).Replace("condition: service_healthy", "condition: service_bogus", StringComparison.Ordinal);

        var (exit, _, stderr) = await RunComposeAsync(broken, null, "--project-directory", Path.Combine(RepoRoot, "docker"), "-f", "-", "config");

        Assert.NotEqual(0, exit);
        Assert.Contains("service_bogus", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dockerfile_builds_with_the_sdk_and_runs_on_the_runtime_image_as_a_non_root_user()
    {
        var lines = (await File.ReadAllLinesAsync(Path.Combine(RepoRoot, "docker", "Dockerfile"))).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();

        var stages = lines.Where(l => l.StartsWith("FROM ", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.Equal(2, stages.Count);
        Assert.Matches(new Regex(@"^FROM mcr\.microsoft\.com/dotnet/sdk:10\.0 AS build$", RegexOptions.IgnoreCase), stages[0]);
        Assert.Matches(new Regex(@"^FROM mcr\.microsoft\.com/dotnet/runtime:10\.0( AS \w+)?$", RegexOptions.IgnoreCase), stages[1]);
        Assert.Contains("COPY --from=build /app ./", lines);
        Assert.Contains("ENTRYPOINT [\"dotnet\", \"/app/actorstream.dll\"]", lines);
        Assert.Contains("CMD [\"node\", \"start\", \"--data\", \"/data\"]", lines);
        Assert.Contains("EXPOSE 4053 9092", lines);
        Assert.DoesNotContain(lines, l => l.Contains("password", StringComparison.OrdinalIgnoreCase));
        // docker run -p 4053:4053 delivers to the container's interface, not its loopback: the node must bind all.
        var bindHost = Assert.Single(lines, l => l.StartsWith("ENV ACTORSTREAM_BIND_HOST=", StringComparison.Ordinal));
        Assert.Equal("ENV ACTORSTREAM_BIND_HOST=0.0.0.0", bindHost);
        Assert.True(lines.IndexOf(bindHost) > lines.IndexOf(stages[1]), "ACTORSTREAM_BIND_HOST must be set in the runtime stage");
        var user = Assert.Single(lines, l => l.StartsWith("USER ", StringComparison.Ordinal));
        Assert.DoesNotContain("root", user, StringComparison.Ordinal);
        Assert.True(lines.IndexOf(user) > lines.IndexOf(stages[1]), "USER must be set in the runtime stage");
    }

    [Fact]
    public async Task Dockerfile_copies_every_source_project_before_the_cached_restore()
    {
        var lines = (await File.ReadAllLinesAsync(Path.Combine(RepoRoot, "docker", "Dockerfile"))).Select(l => l.Trim()).ToList();
        var restore = lines.FindIndex(l => l.StartsWith("RUN dotnet restore", StringComparison.Ordinal));
        Assert.True(restore > 0, "the Dockerfile has no 'RUN dotnet restore' step");
        var beforeRestore = lines.Take(restore).ToList();

        Assert.Contains(beforeRestore, l => l.StartsWith("COPY ", StringComparison.Ordinal) && l.Contains("Directory.Build.props", StringComparison.Ordinal) && l.Contains("Directory.Packages.props", StringComparison.Ordinal));
        foreach (var project in Directory.GetFiles(Path.Combine(RepoRoot, "src"), "*.csproj", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(RepoRoot, project).Replace(Path.DirectorySeparatorChar, '/');
            var directory = Path.GetDirectoryName(relative)!.Replace(Path.DirectorySeparatorChar, '/') + "/";
            Assert.Contains($"COPY {relative} {directory}", beforeRestore);
        }

        // The build enforces analyzers configured in .editorconfig and embeds hocon/*.conf: both must reach the image.
        Assert.Contains("COPY .editorconfig ./", lines);
        Assert.Contains("COPY hocon/ hocon/", lines);
    }

    [Fact]
    public async Task Dockerignore_keeps_build_output_and_git_out_of_the_context()
    {
        var entries = (await File.ReadAllLinesAsync(Path.Combine(RepoRoot, ".dockerignore"))).Select(l => l.Trim()).ToHashSet(StringComparer.Ordinal);

        Assert.Superset(new HashSet<string>(StringComparer.Ordinal) { "**/bin/", "**/obj/", "**/TestResults/", ".git/" }, entries);
    }

    private static string Option(IReadOnlyList<string> command, string name)
    {
        var values = Options(command, name);
        Assert.True(values.Length == 1, $"expected one {name} in [{string.Join(' ', command)}], found {values.Length}");
        return values[0];
    }

    private static string[] Options(IReadOnlyList<string> command, string name) =>
        command.Select((arg, i) => (arg, i)).Where(a => a.arg == name && a.i + 1 < command.Count).Select(a => command[a.i + 1]).ToArray();

    private static async Task<ComposeConfig> ConfigServicesAsync(string? postgresPassword = null)
    {
        var (exit, stdout, stderr) = await RunComposeAsync(null, postgresPassword, "-f", ComposeFile, "config");
        Assert.True(exit == 0, $"docker-compose config exited {exit}: {stderr}");
        return ComposeConfig.Parse(stdout);
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunComposeAsync(string? stdin, string? postgresPassword, params string[] args)
    {
        var info = new ProcessStartInfo("docker-compose")
        {
            WorkingDirectory = RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        // The file's ${POSTGRES_PASSWORD:-default}: unset unless a test sets it, whatever the caller's environment holds.
        info.Environment.Remove("POSTGRES_PASSWORD");
        info.Environment.Remove("SOURCE_REVISION");
        if (postgresPassword is not null)
        {
            info.Environment["POSTGRES_PASSWORD"] = postgresPassword;
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        System.Diagnostics.Process process;
        try
        {
            process = System.Diagnostics.Process.Start(info)!;
        }
        catch (Win32Exception e)
        {
            Assert.Fail($"docker-compose is not installed ({e.Message}): test.sh installs it, or run 'apt-get install -y docker-compose'");
            throw;
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.StandardInput.WriteAsync(stdin ?? "");
            process.StandardInput.Close();
            using var cts = new CancellationTokenSource(ComposeTimeout);
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"docker-compose {string.Join(' ', args)} did not finish in {ComposeTimeout}");
            }

            return (process.ExitCode, await stdout, await stderr);
        }
    }
}
