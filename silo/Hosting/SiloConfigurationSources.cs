using Loire.Silo.Configuration;

namespace Loire.Silo.Hosting;

/// <summary>The silo's configuration sources, lowest precedence first.</summary>
public static class SiloConfigurationSources
{
    public const string SettingsFile = "appsettings.json";

    /// <summary>
    /// Replaces the web defaults. They read every environment variable without a prefix and the flags without
    /// switch mappings, so an unrelated <c>HttpPort</c> variable or a typo could silently change the silo.
    /// </summary>
    public static void UseSiloSources(this IConfigurationBuilder configuration, string[] args)
    {
        configuration.Sources.Clear();
        configuration
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, SettingsFile), optional: true, reloadOnChange: false)
            .AddEnvironmentVariables(SiloSettings.EnvironmentPrefix)
            .AddCommandLine(args, SiloSettings.SwitchMappings);
    }
}
