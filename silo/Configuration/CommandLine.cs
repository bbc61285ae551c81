using System.Text;

namespace Loire.Silo.Configuration;

/// <summary>
/// Checks the flags before <c>AddCommandLine</c> sees them: that provider silently ignores unknown
/// switches and a flag left without its value, which would start a silo with settings nobody asked for.
/// </summary>
public static class CommandLine
{
    private static readonly string[] s_helpFlags = ["--help", "-h", "-?"];

    public static bool IsHelpRequested(IEnumerable<string> args) =>
        args.Any(a => s_helpFlags.Contains(a, StringComparer.OrdinalIgnoreCase));

    /// <summary>Every problem with <paramref name="args"/>, empty when they can be handed to the configuration.</summary>
    public static IReadOnlyList<string> Check(IReadOnlyList<string> args)
    {
        var errors = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                errors.Add($"unexpected argument '{arg}'");
                continue;
            }

            var separator = arg.IndexOf('=');
            var name = separator < 0 ? arg : arg[..separator];

            // A configuration path such as --Logging:LogLevel:Loire=Debug passes through unchanged.
            var isKnown = SiloSettings.SwitchMappings.ContainsKey(name) || name.Contains(':');
            if (!isKnown)
            {
                errors.Add($"unknown flag '{name}'");
            }

            if (separator < 0)
            {
                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    errors.Add($"flag '{name}' needs a value");
                    continue;
                }

                i++;
            }
        }

        return errors;
    }

    public static string HelpText()
    {
        var text = new StringBuilder();
        text.AppendLine("Loire silo: one Orleans silo of the Loire message broker.");
        text.AppendLine();
        text.AppendLine("Usage: Loire.Silo [--flag value]...");
        text.AppendLine();
        text.AppendLine("Flags (each also read from the environment variable shown, then appsettings.json):");
        var width = SiloSettings.All.Max(s => s.Flag.Length + s.ValueName.Length) + 3;
        foreach (var setting in SiloSettings.All)
        {
            var usage = $"{setting.Flag} {setting.ValueName}".PadRight(width);
            text.AppendLine($"  {usage}{setting.Help} (default {setting.Default}; {setting.EnvironmentVariable})");
        }

        text.AppendLine($"  {"--help".PadRight(width)}print this text");
        text.AppendLine();
        text.AppendLine("Health probe (starts no silo; exit 0 when the URL answers 2xx, else 1), for container health checks:");
        text.AppendLine("  Loire.Silo --probe http://127.0.0.1:5080/health/live");
        text.AppendLine();
        text.AppendLine("Precedence, lowest to highest: appsettings.json, LOIRE_* environment variables, flags.");
        text.AppendLine("Any other configuration path can be set as --Section:Key=value, e.g. --Logging:LogLevel:Loire=Debug.");
        return text.ToString();
    }
}
