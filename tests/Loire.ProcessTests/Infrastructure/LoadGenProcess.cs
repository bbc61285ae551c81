using System.Diagnostics;
using System.Reflection;

namespace Loire.ProcessTests.Infrastructure;

/// <summary>Runs the load generator (loadtests/Loire.LoadGen) as a child process, as compare.sh does.</summary>
public static class LoadGenProcess
{
    private const string LoadGenDllVariable = "LOIRE_TEST_LOADGEN_DLL";

    /// <summary>Runs it with <paramref name="args"/> until it exits; kills it after <paramref name="timeout"/>.</summary>
    public static async Task<LoadGenExit> RunAsync(IEnumerable<string> args, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(SiloProcess.DotnetHost())
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add(LoadGenDll());
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var output = new ProcessOutput();
        var stdout = new List<string>();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) =>
        {
            output.Add("out", e.Data);
            if (e.Data is not null)
            {
                lock (stdout)
                {
                    stdout.Add(e.Data);
                }
            }
        };
        process.ErrorDataReceived += (_, e) => output.Add("err", e.Data);
        var exitCode = await output.RunToExitAsync(process, timeout, "load generator");
        return new LoadGenExit(exitCode, stdout, output.Text);
    }

    private static string LoadGenDll()
    {
        var path = Environment.GetEnvironmentVariable(LoadGenDllVariable)
            ?? typeof(LoadGenProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "LoireLoadGenDll").Value!;
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"No load generator at {path}: build loadtests/Loire.LoadGen in the same configuration, or set {LoadGenDllVariable}.", path);
    }
}

/// <summary>How a load-generator run ended: its exit code, its stdout lines, and everything it wrote.</summary>
public sealed record LoadGenExit(int ExitCode, IReadOnlyList<string> StandardOutput, string Output)
{
    /// <summary>The fields of each <c>result ...</c> line, in order.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> Results => StandardOutput
        .Where(l => l.StartsWith("result ", StringComparison.Ordinal))
        .Select(l => (IReadOnlyDictionary<string, string>)l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(token => token.Split('=', 2))
            .ToDictionary(kv => kv[0], kv => kv.Length > 1 ? kv[1] : ""))
        .ToList();
}
