namespace Loire.DeployTests;

public sealed class YamlFilesTests
{
    public static TheoryData<string> Files() => new(RelativeFiles());

    [Theory]
    [MemberData(nameof(Files))]
    public void YamlFileParses(string file)
    {
        var documents = YamlTree.LoadAll(Path.Combine(DeployFolder.Root, file));
        Assert.NotEmpty(documents);
    }

    [Fact]
    public void DeployFolderHasComposeKubernetesAndPrometheusFiles()
    {
        var files = RelativeFiles();
        Assert.Contains(Path.Combine("compose", "docker-compose.yml"), files);
        Assert.Contains(Path.Combine("compose", "prometheus.yml"), files);
        Assert.True(files.Count(f => f.StartsWith("kubernetes", StringComparison.Ordinal)) >= 5, string.Join(", ", files));
    }

    private static List<string> RelativeFiles() =>
        DeployFolder.YamlFiles(DeployFolder.Root).Select(f => Path.GetRelativePath(DeployFolder.Root, f)).ToList();
}
