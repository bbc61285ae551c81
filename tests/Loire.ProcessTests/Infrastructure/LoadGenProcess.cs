namespace Loire.ProcessTests.Infrastructure;

/// <summary>Runs the load generator (loadtests/Loire.LoadGen) as a child process, as compare.sh does.</summary>
public static class LoadGenProcess
{
    /// <summary>Runs it with <paramref name="args"/> until it exits; kills it after <paramref name="timeout"/>.</summary>
    public static async Task<LoadGenExit> RunAsync(IEnumerable<string> args, TimeSpan timeout)
    {
        var run = await DotnetTool.RunAsync("LoireLoadGenDll", "LOIRE_TEST_LOADGEN_DLL", "load generator", args, timeout);
        return new LoadGenExit(run.ExitCode, run.StandardOutput, run.Output);
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
