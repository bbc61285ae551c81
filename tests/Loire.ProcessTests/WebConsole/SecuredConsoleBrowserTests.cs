using Loire.ProcessTests.Infrastructure;
using OpenQA.Selenium;
using Xunit.Abstractions;

namespace Loire.ProcessTests.WebConsole;

/// <summary>
/// The console of a silo with shared access rules: the API refuses the page until it is given a token, the page asks
/// for one, and with a Manage token it works; the token lives in the tab's session storage only.
/// </summary>
[Collection(SiloProcessCollection.Name)]
public sealed class SecuredConsoleBrowserTests(ITestOutputHelper log)
{
    [BrowserFact]
    public async Task TheConsoleAsksForATokenAndWorksWithIt()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var key = AccessRulesFile.NewKey();
        var rulesFile = Path.Combine(Directory.CreateTempSubdirectory("loire-console-rules-").FullName, "rules.json");
        AccessRulesFile.Write(rulesFile, ("root", key, null, "Manage"));
        await using var silo = await SiloProcess.StartAsync(log, ["--access-rules", rulesFile], timeout.Token);
        using var browser = new HeadlessBrowser(log);

        browser.GoTo(new Uri(silo.HttpAddress, "/console/"));
        browser.UntilText("#status", "401 Unauthorized");
        browser.Until(() => browser.Find("#signin").Displayed, "the page asks for a token");
        browser.SaveScreenshot("signin");

        // Not a token: refused in the page, nothing stored.
        browser.Find("#signin-token").SendKeys("hunter2" + Keys.Enter);
        browser.UntilText("#status", "starts with \"SharedAccessSignature \"");

        browser.Find("#signin-token").Clear();
        browser.Find("#signin-token").SendKeys(AccessRulesFile.Token("root", key) + Keys.Enter);
        browser.Until(() => !browser.Find("#signin").Displayed, "the sign-in form is gone");
        browser.Find("#create-name").SendKeys("secured-orders" + Keys.Enter);
        browser.UntilText("#status", "Created queue secured-orders.");

        // The broker agrees: the queue exists, seen through a client with the same rule.
        await using var client = new Loire.Client.LoireClient(
            $"Endpoint=loire://127.0.0.1:{silo.GatewayPort};SharedAccessKeyName=root;SharedAccessKey={key}");
        Assert.True(await client.CreateAdministrationClient().QueueExistsAsync("secured-orders", timeout.Token));
    }
}
