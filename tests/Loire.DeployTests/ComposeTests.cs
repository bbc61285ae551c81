using Loire.Silo.Hosting;

namespace Loire.DeployTests;

/// <summary>deploy/compose: Redis, three clustered silos and Prometheus scraping them.</summary>
public sealed class ComposeTests
{
    private static readonly object? s_compose = YamlTree.LoadAll(Path.Combine(DeployFolder.Compose, "docker-compose.yml")).Single();
    private static readonly string s_prometheusFile = Path.Combine(DeployFolder.Compose, "prometheus.yml");

    private static IReadOnlyList<string> SiloServices =>
        s_compose.Map("services").Where(s => s.Value.Text("image") == "loire-silo:dev").Select(s => s.Key).Order(StringComparer.Ordinal).ToList();

    [Fact]
    public void RedisFsyncsEveryWrite()
    {
        var command = string.Join(' ', s_compose.Items("services", "redis", "command").Cast<string>());
        Assert.Contains("--appendonly yes", command);
        Assert.Contains("--appendfsync always", command);
    }

    [Fact]
    public void ThreeSilosFormOneRedisClusterAndAdvertiseTheirOwnName()
    {
        Assert.Equal(["silo1", "silo2", "silo3"], SiloServices);
        foreach (var silo in SiloServices)
        {
            var command = string.Join(' ', s_compose.Items("services", silo, "command").Cast<string>());
            Assert.Contains("--cluster redis --redis redis:6379", command);
            Assert.Contains($"--advertise-address {silo}", command);
            Assert.Equal("service_healthy", s_compose.Text("services", silo, "depends_on", "redis", "condition"));
        }

        // Only one service builds the image the others share.
        Assert.Equal("deploy/Dockerfile", s_compose.Text("services", "silo1", "build", "dockerfile"));
    }

    [Fact]
    public void SilosPublishDistinctHostPorts()
    {
        var hostPorts = SiloServices.SelectMany(s => s_compose.Items("services", s, "ports").Cast<string>()).Select(p => p.Split(':')[0]).ToList();
        Assert.Equal(hostPorts.Count, hostPorts.Distinct().Count());
        Assert.Equal(6, hostPorts.Count);
    }

    [Fact]
    public void SilosGetLongerThanTheirShutdownTimeoutToStop()
    {
        foreach (var silo in SiloServices)
        {
            var grace = s_compose.Text("services", silo, "stop_grace_period") ?? "10s";
            Assert.True(TimeSpan.FromSeconds(int.Parse(grace.TrimEnd('s'))) > LoireSiloHost.ShutdownTimeout, $"{silo}: stop_grace_period {grace}");
        }
    }

    [Fact]
    public void PrometheusScrapesTheMetricsOfEverySilo()
    {
        Assert.Contains("./prometheus.yml:/etc/prometheus/prometheus.yml:ro", s_compose.Items("services", "prometheus", "volumes").Cast<string>());
        var prometheus = YamlTree.LoadAll(s_prometheusFile).Single();
        var job = Assert.Single(prometheus.Items("scrape_configs"));
        Assert.Equal("/metrics", job.Text("metrics_path"));
        var targets = job.Items("static_configs").SelectMany(c => c.Items("targets")).Cast<string>().Order(StringComparer.Ordinal);
        Assert.Equal(SiloServices.Select(s => $"{s}:5080"), targets);
    }

    [Fact]
    public async Task PromtoolAcceptsThePrometheusConfiguration()
    {
        var result = await ChildProcess.RunAsync(Promtool(), ["check", "config", s_prometheusFile], DeployFolder.Compose, TimeSpan.FromSeconds(60));
        Assert.True(result.ExitCode == 0, $"promtool check config: exit {result.ExitCode}{Environment.NewLine}{result.Output}");
        Assert.Contains("SUCCESS", result.Output);
    }

    /// <summary>promtool from PATH, else where test.sh unpacks it from Debian's prometheus package.</summary>
    private static string Promtool()
    {
        var unpacked = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "loire", "promtool", "usr", "bin", "promtool");
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, "promtool")));
        return !onPath && File.Exists(unpacked) ? unpacked : "promtool";
    }
}
