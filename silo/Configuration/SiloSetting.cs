namespace Loire.Silo.Configuration;

/// <summary>One configurable value of the silo: its configuration key, flag, default and help text.</summary>
/// <param name="Key">Configuration key, also the <see cref="LoireSiloOptions"/> property name.</param>
/// <param name="Flag">Command-line flag, e.g. <c>--silo-port</c>.</param>
/// <param name="ValueName">Placeholder shown in the help text.</param>
/// <param name="Default">Default shown in the help text.</param>
/// <param name="Help">One-line description.</param>
public sealed record SiloSetting(string Key, string Flag, string ValueName, string Default, string Help)
{
    public string EnvironmentVariable => SiloSettings.EnvironmentPrefix + Key;

    /// <summary>How an error message names the setting, whichever source supplied it.</summary>
    public string DisplayName => $"{Flag} ({EnvironmentVariable})";
}
