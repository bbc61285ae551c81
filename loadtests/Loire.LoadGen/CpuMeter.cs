using System.Diagnostics;
using System.Globalization;

namespace Loire.LoadGen;

/// <summary>
/// CPU used during a run, in % of one core (a 2-core machine saturates at 200): the broker process (from
/// /proc/PID/stat, when its pid is known), this process, the whole machine (/proc/stat) and hypervisor steal.
/// </summary>
internal sealed class CpuMeter
{
    /// <summary>Kernel clock ticks per second (USER_HZ), 100 on Linux.</summary>
    private const double TicksPerSecond = 100;

    private readonly int? _brokerPid;
    private readonly long _brokerTicks;
    private readonly MachineTicks _machine;
    private readonly TimeSpan _ownCpu;
    private readonly long _started;

    private CpuMeter(int? brokerPid)
    {
        _brokerPid = brokerPid;
        _brokerTicks = brokerPid is { } pid ? ProcessTicks(pid) : -1;
        _machine = MachineTicks.Read();
        _ownCpu = Process.GetCurrentProcess().TotalProcessorTime;
        _started = Stopwatch.GetTimestamp();
    }

    public static CpuMeter Start(int? brokerPid) => new(brokerPid);

    /// <summary>CPU used since the start.</summary>
    public CpuUsage Stop()
    {
        var seconds = Stopwatch.GetElapsedTime(_started).TotalSeconds;
        var client = (Process.GetCurrentProcess().TotalProcessorTime - _ownCpu).TotalSeconds / seconds * 100;
        double? broker = _brokerPid is { } pid && _brokerTicks >= 0 && ProcessTicks(pid) is var ticks and >= 0
            ? Percent(ticks - _brokerTicks, seconds)
            : null;
        var now = MachineTicks.Read();
        return new CpuUsage(broker, client, now.BusyPercentSince(_machine, seconds), Percent(now.Steal - _machine.Steal, seconds));
    }

    /// <summary>
    /// Waits until the machine used at most <paramref name="maxBusyPercent"/> of one core over two consecutive 1 s
    /// samples, or until <paramref name="maxWait"/> passed; returns the last sample.
    /// </summary>
    public static async Task<double> WaitUntilQuietAsync(double maxBusyPercent, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        var quietSamples = 0;
        var busy = 0.0;
        while (waited.Elapsed < maxWait)
        {
            var before = MachineTicks.Read();
            var sampleStarted = Stopwatch.GetTimestamp();
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            var seconds = Stopwatch.GetElapsedTime(sampleStarted).TotalSeconds;
            busy = MachineTicks.Read().BusyPercentSince(before, seconds);
            quietSamples = busy <= maxBusyPercent ? quietSamples + 1 : 0;
            if (quietSamples == 2)
            {
                return busy;
            }
        }

        if (maxWait > TimeSpan.Zero)
        {
            Console.Error.WriteLine($"# machine not quiet after {maxWait.TotalSeconds:F0} s (busy {busy:F0}% of a core); running anyway");
        }

        return busy;
    }

    private static double Percent(long ticks, double seconds) => ticks / TicksPerSecond / seconds * 100;

    /// <summary>utime + stime of a process in clock ticks; -1 when it cannot be read (the process is gone).</summary>
    private static long ProcessTicks(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");

            // The command name may hold spaces; the fields after it are fixed: utime and stime are the 12th and 13th.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return -1;
        }
    }

    /// <summary>Idle (idle + iowait) and steal clock ticks of all cores, from the first line of /proc/stat.</summary>
    private readonly record struct MachineTicks(long Idle, long Steal)
    {
        public static MachineTicks Read()
        {
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            long Field(int i) => long.Parse(fields[i], CultureInfo.InvariantCulture);
            return new MachineTicks(Field(4) + Field(5), Field(8));
        }

        /// <summary>Busy time of all cores since <paramref name="earlier"/>: cores × wall time − idle time.</summary>
        public double BusyPercentSince(MachineTicks earlier, double seconds) =>
            Math.Max(0, 100.0 * Environment.ProcessorCount - Percent(Idle - earlier.Idle, seconds));
    }
}

/// <summary>CPU used during a run, in % of one core.</summary>
internal sealed record CpuUsage(double? Broker, double Client, double Machine, double Steal)
{
    /// <summary>Adds broker_cpu_pct (when the broker pid is known), client_cpu_pct, machine_cpu_pct, other_cpu_pct and steal_pct.</summary>
    public void AddTo(ResultLine line)
    {
        if (Broker is { } broker)
        {
            line.Add("broker_cpu_pct", broker);
        }

        line.Add("client_cpu_pct", Client).Add("machine_cpu_pct", Machine);
        if (Broker is { } b)
        {
            // Whatever else ran meanwhile: kernel threads, other jobs on the machine.
            line.Add("other_cpu_pct", Math.Max(0, Machine - b - Client));
        }

        line.Add("steal_pct", Steal);
    }
}
