using Loire.Grains.Security;
using Loire.Silo.Configuration;

namespace Loire.Silo.Security;

/// <summary>
/// Re-reads the rules file when its time stamp or size changes (polled: file system events are unreliable on the
/// volumes Kubernetes mounts secrets on), so keys rotate without a restart. A file that no longer parses keeps the
/// rules in force; every reload, good or bad, is audited.
/// </summary>
internal sealed partial class AccessRulesReloader(
    string path, NamespaceAccessRules rules, SecurityAudit audit, ILogger<AccessRulesReloader> logger) : BackgroundService
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    private const string Operation = "NamespaceRules.Reload";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var seen = Stamp();
        using var timer = new PeriodicTimer(PollInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var stamp = Stamp();
            if (stamp == seen)
            {
                continue;
            }

            seen = stamp;
            try
            {
                var loaded = AccessRulesFile.Load(path);
                rules.Replace(loaded);
                audit.Record("silo", Operation, null, AuditResult.Ok, $"{loaded.Count} rules: {string.Join(", ", loaded)}");
            }
            catch (SiloConfigurationException e)
            {
                LogReloadFailed(logger, path, e.Message);
                audit.Record("silo", Operation, null, AuditResult.Failed, e.Message);
            }
        }
    }

    private (DateTime, long) Stamp()
    {
        var file = new FileInfo(path);
        return file.Exists ? (file.LastWriteTimeUtc, file.Length) : default;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The shared access rules file {Path} was changed but cannot be used; the previous rules stay in force: {Problem}")]
    private static partial void LogReloadFailed(ILogger logger, string path, string problem);
}
