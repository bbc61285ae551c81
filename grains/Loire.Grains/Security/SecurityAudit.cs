using System.Diagnostics.Metrics;
using Loire.Grains.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Loire.Grains.Security;

/// <summary>
/// The audit trail: every management operation (client or HTTP), every change of rules or keys and every refused
/// call becomes one structured log event (category <c>Loire.Audit</c>) and one count of
/// <c>loire.audit.events</c> tagged with the operation and result. Operations are bounded names (grain methods, HTTP
/// route patterns), so the counter's tags stay few; the entity goes to the log only.
/// </summary>
public sealed partial class SecurityAudit
{
    /// <summary>The logger category of audit events.</summary>
    public const string Category = "Loire.Audit";

    /// <summary>The counter's name (Prometheus: <c>loire_audit_events_total</c>).</summary>
    public const string CounterName = "loire.audit.events";

    private readonly ILogger _logger;
    private readonly Counter<long> _events;

    public SecurityAudit(ILoggerFactory loggerFactory, IMeterFactory meterFactory)
    {
        _logger = loggerFactory.CreateLogger(Category);
        _events = meterFactory.Create(LoireInstruments.SourceName)
            .CreateCounter<long>(CounterName, "{event}", "Audited management operations and refused calls, by operation and result.");
    }

    /// <summary>Records one event; <paramref name="detail"/> says why a call failed or was refused.</summary>
    public void Record(string who, string operation, string? entity, AuditResult result, string? detail = null)
    {
        if (_events.Enabled)
        {
            _events.Add(1, new KeyValuePair<string, object?>("operation", operation), new KeyValuePair<string, object?>("result", Name(result)));
        }

        LogAudit(_logger, result == AuditResult.Ok ? LogLevel.Information : LogLevel.Warning,
            who, operation, entity ?? "(namespace)", Name(result), detail ?? string.Empty);
    }

    private static string Name(AuditResult result) => result switch
    {
        AuditResult.Ok => "ok",
        AuditResult.Failed => "failed",
        _ => "refused",
    };

    [LoggerMessage(Message = "Audit: {Who} {Operation} on {Entity}: {Result} {Detail}")]
    private static partial void LogAudit(ILogger logger, LogLevel level, string who, string operation, string entity, string result, string detail);
}

/// <summary>How an audited operation ended.</summary>
public enum AuditResult
{
    /// <summary>It was allowed and succeeded.</summary>
    Ok,
    /// <summary>It was allowed and failed (the broker's error is the detail).</summary>
    Failed,
    /// <summary>It was refused: no valid token, or not enough rights.</summary>
    Refused,
}
