using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Loire.LoadTests;

/// <summary>
/// Silo processes on this machine, one per slot, clustered through one Redis. Every slot's loopback ports are picked
/// up front, so a client can list every gateway the fleet may ever have. A silo is started in the lowest free slot and
/// the newest is stopped first, with SIGTERM (a graceful drain: its grains deactivate and re-activate elsewhere), or
/// any one is killed with SIGKILL (a crash) and its slot started again on the same ports and data folder.
/// Disposing stops every silo still running, by its own pid. Shared by the load-test tools (linked into each).
/// </summary>
internal sealed class SiloFleet : IAsyncDisposable
{
    private const string ReadyPrefix = "Loire silo ready";
    private const int SigTerm = 15;

    private static readonly TimeSpan s_readyTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The silo's own shutdown timeout (30 s) plus a margin.</summary>
    private static readonly TimeSpan s_stopTimeout = TimeSpan.FromSeconds(45);

    private readonly SiloFleetOptions _options;
    private readonly string _workDirectory;
    private readonly SiloSlot[] _slots;
    private readonly List<RunningSilo> _running = [];

    public SiloFleet(SiloFleetOptions options, string workDirectory)
    {
        _options = options;
        _workDirectory = workDirectory;
        var ports = PickFreePorts(3 * options.Slots);
        _slots = [.. Enumerable.Range(0, options.Slots).Select(i => new SiloSlot(i + 1, ports[3 * i], ports[(3 * i) + 1], ports[(3 * i) + 2]))];
    }

    public int Count => _running.Count;

    /// <summary>Every gateway a silo of this fleet may listen on, running or not.</summary>
    public IEnumerable<string> Gateways => _slots.Select(s => s.Gateway);

    /// <summary>Slot numbers (from 1) of the running silos, oldest first.</summary>
    public IEnumerable<int> RunningSlots => _running.Select(r => r.Slot.Number);

    /// <summary>The HTTP address of the silo in <paramref name="slotNumber"/> (from 1).</summary>
    public Uri HttpAddressOf(int slotNumber) => _slots[slotNumber - 1].HttpAddress;

    /// <summary>HTTP addresses of the running silos, oldest first.</summary>
    public IEnumerable<Uri> HttpAddresses => _running.Select(r => r.Slot.HttpAddress);

    /// <summary>Starts a silo in the lowest free slot and waits for its ready line.</summary>
    public async Task<SiloChange> StartAsync(CancellationToken cancellationToken)
    {
        var slot = _slots.First(s => _running.All(r => r.Slot != s));
        var timer = Stopwatch.StartNew();
        var log = new StreamWriter(Path.Combine(_workDirectory, $"silo-{slot.Number}.log"), append: true) { AutoFlush = true };
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = StartInfo(slot) };
        process.OutputDataReceived += (_, e) => OnOutput(log, e.Data, ready);
        process.ErrorDataReceived += (_, e) => OnOutput(log, e.Data, ready: null);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var silo = new RunningSilo(slot, process, log);
        _running.Add(silo);

        var exited = process.WaitForExitAsync(cancellationToken);
        var first = await Task.WhenAny(ready.Task, exited, Task.Delay(s_readyTimeout, cancellationToken));
        cancellationToken.ThrowIfCancellationRequested();
        if (first != ready.Task)
        {
            throw new InvalidOperationException(
                $"Silo {slot.Number} (pid {process.Id}) {(first == exited ? "exited" : "printed no ready line")} within {s_readyTimeout.TotalSeconds:0} s; see {Path.Combine(_workDirectory, $"silo-{slot.Number}.log")}.");
        }

        return new SiloChange(slot.Number, process.Id, timer.Elapsed, ExitCode: null);
    }

    /// <summary>SIGTERM to the newest silo, then waits for it to exit; the change carries its exit code.</summary>
    public async Task<SiloChange> StopNewestAsync()
    {
        var silo = _running[^1];
        var pid = silo.Process.Id;
        var timer = Stopwatch.StartNew();
        var exitCode = await StopAsync(silo);
        _running.Remove(silo);
        return new SiloChange(silo.Slot.Number, pid, timer.Elapsed, exitCode);
    }

    /// <summary>SIGKILL to the silo in <paramref name="slotNumber"/>: it gets no chance to deactivate or flush anything.</summary>
    public async Task<SiloChange> KillAsync(int slotNumber)
    {
        var silo = _running.Single(r => r.Slot.Number == slotNumber);
        var pid = silo.Process.Id;
        var timer = Stopwatch.StartNew();
        silo.Process.Kill(entireProcessTree: true);
        await silo.Process.WaitForExitAsync();
        _running.Remove(silo);
        silo.Process.Dispose();
        await silo.Log.DisposeAsync();
        return new SiloChange(slotNumber, pid, timer.Elapsed, ExitCode: null);
    }

    public async ValueTask DisposeAsync()
    {
        while (_running.Count > 0)
        {
            var silo = _running[^1];
            try
            {
                await StopAsync(silo);
            }
            catch (TimeoutException)
            {
                silo.Process.Kill(entireProcessTree: true);
            }

            _running.Remove(silo);
        }
    }

    private async Task<int> StopAsync(RunningSilo silo)
    {
        if (!silo.Process.HasExited && kill(silo.Process.Id, SigTerm) != 0)
        {
            throw new InvalidOperationException($"kill({silo.Process.Id}, SIGTERM) failed with errno {Marshal.GetLastPInvokeError()}");
        }

        using var deadline = new CancellationTokenSource(s_stopTimeout);
        try
        {
            await silo.Process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"Silo {silo.Slot.Number} (pid {silo.Process.Id}) did not exit within {s_stopTimeout.TotalSeconds:0} s of SIGTERM.");
        }

        var exitCode = silo.Process.ExitCode;
        silo.Process.Dispose();
        await silo.Log.DisposeAsync();
        return exitCode;
    }

    private ProcessStartInfo StartInfo(SiloSlot slot)
    {
        // The dotnet host itself, not a shell, so the pid is the silo's.
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _workDirectory,
        };
        string[] args =
        [
            _options.SiloDll,
            "--cluster", "redis", "--redis", _options.Redis, "--cluster-id", _options.ClusterId,
            .. _options.ExtraArgs,
            "--silo-port", Text(slot.SiloPort), "--gateway-port", Text(slot.GatewayPort), "--http-port", Text(slot.HttpPort),
            "--data-dir", Path.Combine(_workDirectory, $"silo-{slot.Number}"),
        ];
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // The silo reads LOIRE_* variables as settings; the flags alone decide here.
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("LOIRE_", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            info.Environment.Remove(name);
        }

        return info;
    }

    private static void OnOutput(StreamWriter log, string? line, TaskCompletionSource? ready)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            log.WriteLine(line);
        }

        if (ready is not null && line.StartsWith(ReadyPrefix, StringComparison.Ordinal))
        {
            ready.TrySetResult();
        }
    }

    private static string Text(int port) => port.ToString(CultureInfo.InvariantCulture);

    /// <summary>Distinct free loopback ports (for the fleet's slots, and for other servers a tool starts beside it).</summary>
    internal static int[] PickFreePorts(int count)
    {
        // Hold every listener until all are picked, so the OS cannot hand out the same port twice.
        var listeners = new List<TcpListener>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                listeners.Add(listener);
            }

            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    private sealed record SiloSlot(int Number, int SiloPort, int GatewayPort, int HttpPort)
    {
        public string Gateway => $"127.0.0.1:{GatewayPort}";

        public Uri HttpAddress => new($"http://127.0.0.1:{HttpPort}/");
    }

    private sealed record RunningSilo(SiloSlot Slot, Process Process, StreamWriter Log);
}

/// <summary>What every silo of a <see cref="SiloFleet"/> runs: the silo dll, the shared Redis, the cluster id, how many slots, and flags to add.</summary>
internal sealed record SiloFleetOptions(string SiloDll, string Redis, string ClusterId, int Slots)
{
    public IReadOnlyList<string> ExtraArgs { get; init; } = [];
}

/// <summary>A silo started, stopped or killed: which slot, its pid, how long the start, the graceful stop or the kill took, and its exit code (graceful stops only).</summary>
internal sealed record SiloChange(int Slot, int ProcessId, TimeSpan Took, int? ExitCode);
