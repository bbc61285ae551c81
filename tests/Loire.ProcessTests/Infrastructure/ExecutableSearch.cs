namespace Loire.ProcessTests.Infrastructure;

/// <summary>Finds a program the tests start (redis-server, node, npm) on PATH or in the system folders.</summary>
public static class ExecutableSearch
{
    public static string? Find(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/sbin")
            .Append("/usr/bin")
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
    }
}
