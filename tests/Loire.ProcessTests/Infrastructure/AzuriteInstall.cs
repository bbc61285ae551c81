using System.Diagnostics;

namespace Loire.ProcessTests.Infrastructure;

/// <summary>
/// The pinned Azurite npm package, installed once per machine into a cache folder (a fresh clone reuses it). 3.35.0
/// is the newest that runs on Node.js 20; later ones need Node.js 22.
/// </summary>
public static class AzuriteInstall
{
    public const string Version = "3.35.0";

    public static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(5);

    private const string FolderVariable = "LOIRE_AZURITE_DIR";

    private static readonly SemaphoreSlim s_installing = new(1, 1);

    /// <summary>
    /// The script that runs Azurite's table service alone, installing the package first when the cache lacks it.
    /// <paramref name="log"/> hears how long an install took.
    /// </summary>
    public static async Task<string> TableServiceScriptAsync(Action<string> log, CancellationToken cancellationToken)
    {
        var folder = Folder();
        var script = Path.Combine(folder, "node_modules", "azurite", "dist", "src", "table", "main.js");
        var installed = Path.Combine(folder, ".installed");
        if (File.Exists(installed))
        {
            return script;
        }

        await s_installing.WaitAsync(cancellationToken);
        try
        {
            Directory.CreateDirectory(folder);
            // Another test process may install into the same folder: the lock file makes them take turns.
            using var folderLock = await LockAsync(Path.Combine(folder, ".lock"), cancellationToken);
            if (!File.Exists(installed))
            {
                var timer = Stopwatch.StartNew();
                await NpmInstallAsync(folder, cancellationToken);
                File.WriteAllText(installed, Version);
                log($"installed azurite@{Version} into {folder} in {timer.Elapsed.TotalSeconds:0.0} s");
            }

            return script;
        }
        finally
        {
            s_installing.Release();
        }
    }

    private static string Folder()
    {
        if (Environment.GetEnvironmentVariable(FolderVariable) is { Length: > 0 } configured)
        {
            return configured;
        }

        var cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(cache, "loire", $"azurite-{Version}");
    }

    private static async Task NpmInstallAsync(string folder, CancellationToken cancellationToken)
    {
        var npm = ExecutableSearch.Find("npm")
            ?? throw new InvalidOperationException(
                "npm is not installed (not found on PATH); the Azure grain storage tests install Azurite with it. Install Node.js "
                + "and npm with 'apt-get install -y nodejs npm' (test.sh does this).");
        var info = new ProcessStartInfo(npm)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = folder,
        };
        foreach (var arg in new[] { "install", $"azurite@{Version}", "--prefix", folder, "--no-audit", "--no-fund", "--no-save", "--loglevel", "error" })
        {
            info.ArgumentList.Add(arg);
        }

        var output = new ProcessOutput();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => output.Add("out", e.Data);
        process.ErrorDataReceived += (_, e) => output.Add("err", e.Data);
        cancellationToken.ThrowIfCancellationRequested();
        var exitCode = await output.RunToExitAsync(process, InstallTimeout, "npm install");
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"npm install azurite@{Version} failed with exit code {exitCode}.{Environment.NewLine}{output.Text}");
        }
    }

    private static async Task<FileStream> LockAsync(string path, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + InstallTimeout;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200, cancellationToken);
            }
        }
    }
}
