namespace Loire.DeployTests;

/// <summary>
/// deploy/validate/validate.mjs with its npm packages (deploy/validate/package.json) installed into a cache folder
/// outside the repository: once per machine, again only when package.json changes. The folder is
/// <c>LOIRE_DEPLOY_NPM_CACHE</c>, else ~/.cache/loire/deploy-validate.
/// </summary>
public sealed class ManifestValidator : IAsyncLifetime
{
    private static readonly TimeSpan s_installTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan s_validateTimeout = TimeSpan.FromMinutes(1);

    public string CacheFolder { get; } = Environment.GetEnvironmentVariable("LOIRE_DEPLOY_NPM_CACHE") is { Length: > 0 } folder
        ? folder
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "loire", "deploy-validate");

    public async Task InitializeAsync()
    {
        var wanted = await File.ReadAllTextAsync(Path.Combine(DeployFolder.Validator, "package.json"));
        var installedMarker = Path.Combine(CacheFolder, "installed-package.json");
        if (File.Exists(installedMarker) && await File.ReadAllTextAsync(installedMarker) == wanted)
        {
            return;
        }

        Directory.CreateDirectory(CacheFolder);
        await File.WriteAllTextAsync(Path.Combine(CacheFolder, "package.json"), wanted);
        var install = await ChildProcess.RunAsync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], CacheFolder, s_installTimeout);
        if (install.ExitCode != 0)
        {
            throw new InvalidOperationException($"npm install in {CacheFolder} failed with exit code {install.ExitCode}:{Environment.NewLine}{install.Output}");
        }

        await File.WriteAllTextAsync(installedMarker, wanted);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Validates <paramref name="files"/>; the script prints one "ok" or "error" line per object.</summary>
    public Task<ChildProcess.Result> ValidateAsync(IEnumerable<string> files) =>
        ChildProcess.RunAsync("node", [Path.Combine(DeployFolder.Validator, "validate.mjs"), "--modules", CacheFolder, .. files],
            DeployFolder.RepositoryRoot, s_validateTimeout);
}
