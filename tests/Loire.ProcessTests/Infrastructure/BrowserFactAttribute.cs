namespace Loire.ProcessTests.Infrastructure;

/// <summary>
/// A test that drives Debian's headless Chromium. Skipped, saying why, only on a developer machine without chromium or
/// chromium-driver (test.sh installs both); on CI (CI=true) it always runs, so a missing browser fails loudly there.
/// </summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (HeadlessBrowser.MissingPrograms() is { Count: > 0 } missing
            && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Skip = $"Needs {string.Join(" and ", missing)} (Debian packages chromium, chromium-driver; ./test.sh installs them).";
        }
    }
}
