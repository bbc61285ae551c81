namespace Loire.Silo.Hosting;

/// <summary>
/// The one stdout line that says the gateway accepts clients. Scripts and the process tests wait for
/// its prefix, so its start never changes.
/// </summary>
public static class SiloReadyLine
{
    public const string Prefix = "Loire silo ready";

    public static void Write(TextWriter output, string gateway, string http, string dataDirectory)
    {
        output.WriteLine($"{Prefix} gateway={gateway} http={http} data={dataDirectory}");
        output.Flush();
    }
}
