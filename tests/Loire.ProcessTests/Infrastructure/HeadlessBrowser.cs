using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using Xunit.Abstractions;

namespace Loire.ProcessTests.Infrastructure;

/// <summary>
/// Debian's Chromium, headless, driven through chromium-driver by Selenium, with a fresh profile that is deleted on
/// dispose. Waits poll the page (no fixed sleeps); screenshots go to <see cref="ScreenshotFolder"/>.
/// </summary>
public sealed class HeadlessBrowser : IDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";

    public const string DriverPath = "/usr/bin/chromedriver";

    public static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(15);

    private readonly string _profile = Path.Combine(Path.GetTempPath(), "loire-chromium-" + Guid.NewGuid().ToString("N"));
    private readonly ITestOutputHelper _log;

    public HeadlessBrowser(ITestOutputHelper log)
    {
        _log = log;
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(DriverPath)!, Path.GetFileName(DriverPath));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        var options = new ChromeOptions { BinaryLocation = ChromiumPath };
        // Without the background-networking flags Chromium reaches out to the network, which this machine refuses.
        options.AddArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
            "--window-size=1280,1000", $"--user-data-dir={_profile}");
        options.SetLoggingPreference(LogType.Browser, LogLevel.All);
        Driver = new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
    }

    public static string ScreenshotFolder { get; } = Path.Combine(AppContext.BaseDirectory, "TestResults", "console-screenshots");

    public ChromeDriver Driver { get; }

    /// <summary>The programs a browser test needs that this machine lacks.</summary>
    public static IReadOnlyList<string> MissingPrograms() =>
        new[] { ChromiumPath, DriverPath }.Where(p => !File.Exists(p)).ToList();

    public void GoTo(Uri url) => Driver.Navigate().GoToUrl(url);

    public IWebElement Find(string css) => Driver.FindElement(By.CssSelector(css));

    /// <summary>Polls until <paramref name="condition"/> holds (a re-rendered element counts as not yet), or fails naming <paramref name="what"/>.</summary>
    public void Until(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + WaitTimeout;
        while (true)
        {
            try
            {
                if (condition())
                {
                    return;
                }
            }
            catch (Exception e) when (e is NoSuchElementException or StaleElementReferenceException)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                SaveScreenshot("timeout-" + Guid.NewGuid().ToString("N")[..6]);
                Assert.Fail($"Timed out waiting until {what}. Status line: '{TextOf("#status")}'.");
            }

            Thread.Sleep(50);
        }
    }

    public void UntilText(string css, string expected) =>
        Until(() => Find(css).Text.Contains(expected, StringComparison.Ordinal), $"'{css}' shows '{expected}'");

    public string TextOf(string css)
    {
        try
        {
            return Find(css).Text;
        }
        catch (NoSuchElementException)
        {
            return "";
        }
    }

    public void SaveScreenshot(string name)
    {
        Directory.CreateDirectory(ScreenshotFolder);
        var path = Path.Combine(ScreenshotFolder, name + ".png");
        Driver.GetScreenshot().SaveAsFile(path);
        _log.WriteLine($"screenshot: {path}");
    }

    /// <summary>The browser's console entries at SEVERE level since the last call (the page's errors and failed loads).</summary>
    public IReadOnlyList<string> TakeSevereLogEntries() =>
        Driver.Manage().Logs.GetLog(LogType.Browser).Where(e => e.Level == LogLevel.Severe).Select(e => e.Message).ToList();

    public void Dispose()
    {
        Driver.Quit();
        Driver.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
            // Chromium may still be writing its profile as it exits; the temp folder is cleaned eventually.
        }
    }
}
