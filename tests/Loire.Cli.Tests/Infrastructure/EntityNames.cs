using System.Runtime.CompilerServices;

namespace Loire.Cli.Tests.Infrastructure;

/// <summary>A fresh entity name per call, readable in the silo log: tests share one silo.</summary>
public static class EntityNames
{
    public static string For([CallerMemberName] string test = "")
    {
        var stem = test.ToLowerInvariant();
        return $"cli-{stem[..Math.Min(stem.Length, 24)]}-{Guid.NewGuid().ToString("N")[..12]}";
    }
}
