using System.Diagnostics;

namespace Loire.ProcessTests.Infrastructure;

/// <summary>Runs a program the tests start (a .NET tool, a Python script) to its end, keeping its stdout lines apart.</summary>
public static class ToolProcess
{
    public static async Task<ToolRun> RunAsync(ProcessStartInfo info, TimeSpan timeout, string name)
    {
        info.UseShellExecute = false;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
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
        var exitCode = await output.RunToExitAsync(process, timeout, name);
        return new ToolRun(exitCode, stdout, output.Text);
    }
}
