using System.Globalization;

namespace Loire.LoadGen;

/// <summary>
/// What a run cost per message besides CPU: thread switches of the broker and of this process (the kernel's
/// voluntary + involuntary context switches, summed over the process's threads), and this process's allocations and
/// thread-pool work items. With the broker's Prometheus endpoint (<c>--broker-metrics</c>) also the broker's
/// allocations and work items, from .NET's System.Runtime meter.
/// </summary>
internal sealed class HotPathMeter
{
    private readonly int? _brokerPid;
    private readonly BrokerRuntimeScraper? _scraper;
    private readonly long _brokerSwitches;
    private readonly long _clientSwitches;
    private readonly long _clientAllocated;
    private readonly long _clientWorkItems;
    private readonly BrokerRuntime? _broker;

    private HotPathMeter(int? brokerPid, BrokerRuntimeScraper? scraper, BrokerRuntime? broker)
    {
        _brokerPid = brokerPid;
        _scraper = scraper;
        _broker = broker;
        _brokerSwitches = brokerPid is { } pid ? ContextSwitches(pid) : -1;
        _clientSwitches = ContextSwitches(Environment.ProcessId);
        _clientAllocated = GC.GetTotalAllocatedBytes();
        _clientWorkItems = ThreadPool.CompletedWorkItemCount;
    }

    public static async Task<HotPathMeter> StartAsync(int? brokerPid, BrokerRuntimeScraper? scraper, CancellationToken cancellationToken)
    {
        var broker = scraper is null ? null : await scraper.ReadAsync(cancellationToken);
        return new HotPathMeter(brokerPid, scraper, broker);
    }

    /// <summary>Adds the per-message figures of the run so far, for <paramref name="messages"/> messages, to <paramref name="line"/>.</summary>
    public async Task AddToAsync(ResultLine line, long messages, CancellationToken cancellationToken)
    {
        var workItems = ThreadPool.CompletedWorkItemCount - _clientWorkItems;
        var allocated = GC.GetTotalAllocatedBytes() - _clientAllocated;
        var clientSwitches = ContextSwitches(Environment.ProcessId) - _clientSwitches;
        var brokerSwitches = _brokerPid is { } pid && _brokerSwitches >= 0 ? ContextSwitches(pid) - _brokerSwitches : -1;
        var broker = _scraper is null ? null : await _scraper.ReadAsync(cancellationToken);
        double PerMessage(double value) => value / Math.Max(1, messages);
        if (brokerSwitches >= 0)
        {
            line.Add("broker_cs_per_msg", PerMessage(brokerSwitches), "F2");
        }

        line.Add("client_cs_per_msg", PerMessage(clientSwitches), "F2")
            .Add("client_alloc_b_per_msg", PerMessage(allocated), "F0")
            .Add("client_work_items_per_msg", PerMessage(workItems), "F2");
        if (broker is not null && _broker is not null)
        {
            line.Add("broker_alloc_b_per_msg", PerMessage(broker.AllocatedBytes - _broker.AllocatedBytes), "F0")
                .Add("broker_work_items_per_msg", PerMessage(broker.WorkItems - _broker.WorkItems), "F2");
        }
    }

    /// <summary>Context switches of every live thread of a process; threads that ended are not counted.</summary>
    private static long ContextSwitches(int pid)
    {
        long total = 0;
        try
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                try
                {
                    foreach (var line in File.ReadLines(Path.Combine(task, "status")))
                    {
                        if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal)
                            || line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                        {
                            total += long.Parse(line.AsSpan(line.IndexOf(':') + 1).Trim(), CultureInfo.InvariantCulture);
                        }
                    }
                }
                catch (IOException)
                {
                    // The thread ended while being read.
                }
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return -1;
        }

        return total;
    }
}

/// <summary>The broker's cumulative allocations and completed thread-pool work items, as its /metrics endpoint last said.</summary>
internal sealed record BrokerRuntime(double AllocatedBytes, double WorkItems);

/// <summary>Reads <see cref="BrokerRuntime"/> from a Prometheus text endpoint (the silo exports .NET's System.Runtime meter).</summary>
internal sealed class BrokerRuntimeScraper(Uri endpoint) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public async Task<BrokerRuntime?> ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            var text = await _http.GetStringAsync(endpoint, cancellationToken);
            return new BrokerRuntime(Sum(text, "dotnet_gc_heap_total_allocated_bytes_total"), Sum(text, "dotnet_thread_pool_work_item_count_total"));
        }
        catch (HttpRequestException exception)
        {
            Console.Error.WriteLine($"# broker metrics not read from {endpoint}: {exception.Message}");
            return null;
        }
    }

    public void Dispose() => _http.Dispose();

    /// <summary>The sum of every sample of a metric (all label sets).</summary>
    private static double Sum(string text, string metric)
    {
        double total = 0;
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            if (line.StartsWith(metric) && line.Length > metric.Length && line[metric.Length] is ' ' or '{')
            {
                // name{labels} value [timestamp]
                var rest = line[(line[metric.Length] == '{' ? line.IndexOf('}') + 1 : metric.Length)..].TrimStart();
                var end = rest.IndexOf(' ');
                if (double.TryParse(end < 0 ? rest : rest[..end], NumberStyles.Float, CultureInfo.InvariantCulture, out var sample))
                {
                    total += sample;
                }
            }
        }

        return total;
    }
}
