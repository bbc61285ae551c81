using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Loire.Grains.Security;
using Microsoft.Extensions.Logging;

namespace Loire.Tests.Security;

/// <summary>Collects the audit events one silo logs and counts (its own meter factory's counter only).</summary>
public sealed class AuditCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<IReadOnlyDictionary<string, string>> _events = new();
    private readonly ConcurrentDictionary<(string Operation, string Result), long> _counts = new();
    private MeterListener? _listener;

    public IReadOnlyCollection<IReadOnlyDictionary<string, string>> Events => _events;

    /// <summary>Starts counting <c>loire.audit.events</c> from meters of <paramref name="meterFactory"/> only, so other tests' silos do not count.</summary>
    public void ListenTo(IMeterFactory meterFactory)
    {
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name == SecurityAudit.CounterName && ReferenceEquals(instrument.Meter.Scope, meterFactory))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string? operation = null, result = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "operation") operation = tag.Value as string;
                if (tag.Key == "result") result = tag.Value as string;
            }

            _counts.AddOrUpdate((operation ?? "", result ?? ""), value, (_, total) => total + value);
        });
        _listener.Start();
    }

    public long Count(string operation, string result) => _counts.GetValueOrDefault((operation, result));

    /// <summary>The events about <paramref name="entity"/>.</summary>
    public IReadOnlyDictionary<string, string>[] For(string entity) => [.. _events.Where(e => e.GetValueOrDefault("Entity") == entity)];

    public ILogger CreateLogger(string categoryName) => categoryName == SecurityAudit.Category ? new Logger(this) : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    public void Dispose() => _listener?.Dispose();

    private sealed class Logger(AuditCapture capture) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (state is IReadOnlyList<KeyValuePair<string, object?>> values)
            {
                var fields = values.ToDictionary(v => v.Key, v => v.Value?.ToString() ?? "");
                fields["Level"] = logLevel.ToString();
                capture._events.Enqueue(fields);
            }
        }
    }
}
