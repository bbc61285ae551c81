namespace Loire.Silo.Configuration;

/// <summary>The silo's settings are unusable; the process exits with code 2 and these messages.</summary>
public sealed class SiloConfigurationException(IReadOnlyList<string> errors)
    : Exception(string.Join(Environment.NewLine, errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
