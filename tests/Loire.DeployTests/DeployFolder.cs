namespace Loire.DeployTests;

/// <summary>The repository's deploy/ folder, found from the test assembly's location.</summary>
public static class DeployFolder
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string Root => Path.Combine(RepositoryRoot, "deploy");

    public static string Kubernetes => Path.Combine(Root, "kubernetes");

    public static string Compose => Path.Combine(Root, "compose");

    public static string Validator => Path.Combine(Root, "validate");

    /// <summary>Every YAML file under deploy/, in a stable order.</summary>
    public static IReadOnlyList<string> YamlFiles(string folder) =>
        Directory.EnumerateFiles(folder, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}node_modules{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();

    private static string FindRepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Orleans.sln")))
            {
                return folder.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No Orleans.sln above {AppContext.BaseDirectory}: run the tests from a clone of the repository.");
    }
}
