using System.Text.RegularExpressions;

namespace Loire.DeployTests;

/// <summary>deploy/Dockerfile as text: no Docker engine runs here, so the image itself is never built by the tests.</summary>
public sealed partial class DockerfileTests
{
    private static readonly string[] s_lines = Instructions(File.ReadAllText(Path.Combine(DeployFolder.Root, "Dockerfile")));

    [Fact]
    public void BuildsWithTheSdkAndRunsOnTheAspNetRuntime()
    {
        var stages = s_lines.Where(l => l.StartsWith("FROM ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, stages.Count);
        Assert.StartsWith("FROM mcr.microsoft.com/dotnet/sdk:", stages[0]);
        Assert.StartsWith("FROM mcr.microsoft.com/dotnet/aspnet:", stages[1]);
        Assert.Contains(s_lines, l => l.StartsWith("RUN dotnet publish silo/Loire.Silo.csproj -c Release", StringComparison.Ordinal));
        Assert.Contains(s_lines, l => l.StartsWith("COPY --from=build", StringComparison.Ordinal));
    }

    [Fact]
    public void RunsAsANonRootUser()
    {
        var user = s_lines.Last(l => l.StartsWith("USER ", StringComparison.Ordinal))["USER ".Length..].Trim();
        Assert.DoesNotMatch("^(root|0)(:|$)", user);

        // The last USER comes after the last RUN, so nothing after it runs as root.
        Assert.True(Array.FindLastIndex(s_lines, l => l.StartsWith("USER ", StringComparison.Ordinal)) > Array.FindLastIndex(s_lines, l => l.StartsWith("RUN ", StringComparison.Ordinal)));
    }

    [Fact]
    public void HealthCheckProbesLivenessWithTheSiloExecutable()
    {
        var check = Assert.Single(s_lines, l => l.StartsWith("HEALTHCHECK ", StringComparison.Ordinal));
        Assert.Contains("CMD dotnet /app/Loire.Silo.dll --probe ", check);
        Assert.Contains("/health/live", check);
        Assert.Contains("http://127.0.0.1:", check);
    }

    [Fact]
    public void ExposesSiloGatewayAndHttpPortsAndListensOnEveryInterface()
    {
        var exposed = s_lines.Where(l => l.StartsWith("EXPOSE ", StringComparison.Ordinal)).SelectMany(l => l.Split(' ').Skip(1)).ToList();
        Assert.Equal(["11111", "30000", "5080"], exposed.Order(StringComparer.Ordinal));
        var env = string.Join(' ', s_lines.Where(l => l.StartsWith("ENV ", StringComparison.Ordinal)));
        Assert.Contains("LOIRE_ListenAddress=0.0.0.0", env);
        Assert.Contains("LOIRE_HttpHost=0.0.0.0", env);
        Assert.Contains("ENTRYPOINT [\"dotnet\", \"/app/Loire.Silo.dll\"]", s_lines);
    }

    [Fact]
    public void BuildContextIgnoreFileKeepsOnlyWhatPublishNeeds()
    {
        var ignore = File.ReadAllLines(Path.Combine(DeployFolder.RepositoryRoot, ".dockerignore"));
        Assert.Contains("*", ignore);
        foreach (var needed in new[] { "!silo", "!src", "!grains", "!Directory.Packages.props", "!Directory.Build.props", "!global.json" })
        {
            Assert.Contains(needed, ignore);
        }

        Assert.Contains("**/bin", ignore);
        Assert.Contains("**/obj", ignore);
    }

    /// <summary>Instructions with their continuation lines joined and comments dropped.</summary>
    private static string[] Instructions(string dockerfile) =>
        ContinuationRegex().Replace(dockerfile, " ")
            .Split('\n')
            .Select(l => WhitespaceRegex().Replace(l.Trim(), " "))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .ToArray();

    [GeneratedRegex(@"\\\r?\n")]
    private static partial Regex ContinuationRegex();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhitespaceRegex();
}
