using System.Diagnostics;
using System.Reflection;

namespace Loire.ProcessTests.Infrastructure;

/// <summary>
/// Runs one of the repository's console programs (its dll path recorded in this test assembly at build time) as a
/// child process until it exits; killed with its children after the timeout.
/// </summary>
public static class DotnetTool
{
    /// <param name="metadataKey">The assembly metadata entry that holds the dll's path.</param>
    /// <param name="overrideVariable">An environment variable that, when set, names another dll.</param>
    /// <param name="name">For messages.</param>
    /// <param name="args">The program's arguments.</param>
    /// <param name="timeout">Longest run.</param>
    public static async Task<ToolRun> RunAsync(string metadataKey, string overrideVariable, string name, IEnumerable<string> args, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(SiloProcess.DotnetHost());
        info.ArgumentList.Add(DllPath(metadataKey, overrideVariable, name));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return await ToolProcess.RunAsync(info, timeout, name);
    }

    private static string DllPath(string metadataKey, string overrideVariable, string name)
    {
        var path = Environment.GetEnvironmentVariable(overrideVariable)
            ?? typeof(DotnetTool).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == metadataKey).Value!;
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"No {name} at {path}: build it in the same configuration, or set {overrideVariable}.", path);
    }
}

/// <summary>How a run ended: its exit code, its stdout lines, and everything it wrote.</summary>
public sealed record ToolRun(int ExitCode, IReadOnlyList<string> StandardOutput, string Output);
