using Loire.Client;
using Loire.Client.Administration;
using Loire.ProcessTests.Infrastructure;
using OpenQA.Selenium;
using Xunit.Abstractions;

namespace Loire.ProcessTests.WebConsole;

/// <summary>
/// The web console in real headless Chromium against a silo process, with the .NET client doing what applications do:
/// what the page changes, the client sees, and what the client does, the page shows. Every page is saved as a
/// screenshot (see <see cref="HeadlessBrowser.ScreenshotFolder"/>), and the page must log no error along the way.
/// </summary>
[Collection(SiloProcessCollection.Name)]
public sealed class ConsoleBrowserTests(ManagementSilo silo, ITestOutputHelper log) : IClassFixture<ManagementSilo>
{
    private Uri Console => new(silo.Http.BaseAddress!, "/console/");

    [BrowserFact]
    public async Task QueueIsCreatedWatchedDeadLetteredResubmittedAndPurgedFromThePage()
    {
        var prefix = "console-" + Guid.NewGuid().ToString("N")[..8] + "/";
        var queue = prefix + "orders";
        using var browser = new HeadlessBrowser(log);
        browser.GoTo(Console);
        browser.UntilText("main h1", "Entities");
        Assert.Equal("Entities", browser.Driver.SwitchTo().ActiveElement().Text); // focus moves to the page's heading

        // Create the queue from the form, submitted with the keyboard.
        browser.Find("#create-name").SendKeys(queue);
        browser.Find("#create-max-delivery").SendKeys("5");
        browser.Find("#create-name").SendKeys(Keys.Enter);
        browser.UntilText("#status", $"Created queue {queue}.");
        Assert.Equal(5, (await silo.Client.CreateAdministrationClient().GetQueueAsync(queue)).MaxDeliveryCount);

        // Filter to this test's prefix, then watch the depth follow the client's sends.
        browser.Find("#filter-prefix").SendKeys(prefix + Keys.Enter);
        var row = $"tr[data-path='{queue}']";
        browser.UntilText($"{row} td[data-col='active']", "0");
        await using var sender = silo.Client.CreateSender(queue);
        for (var i = 0; i < 3; i++)
        {
            await sender.SendMessageAsync(new LoireMessage(System.Text.Encoding.UTF8.GetBytes($"order {i}")) { MessageId = $"m-{i}", Subject = "order" });
        }

        browser.UntilText($"{row} td[data-col='active']", "3");
        // Rates come from the cluster-wide counters: sends show as a rate for a poll or two after they happen.
        Assert.Contains("sent", browser.Find($"{row} svg").GetAttribute("aria-label"));
        browser.SaveScreenshot("entities");

        // Dead-letter everything through the client; the list shows it.
        await using var receiver = silo.Client.CreateReceiver(queue);
        foreach (var message in await ReceiveAsync(receiver, 3))
        {
            await receiver.DeadLetterMessageAsync(message, "poison", "cannot parse");
        }

        browser.UntilText($"{row} td[data-col='deadLetter']", "3");
        browser.UntilText($"{row} td[data-col='active']", "0");

        // The entity page: live counts and an empty main queue.
        browser.Find($"{row} a").Click();
        browser.UntilText("main h1", $"Queue {queue}");
        browser.UntilText("[data-count='deadLetter'] .value", "3");
        browser.UntilText("#peek", "No messages.");

        // The dead-letter browser: reasons shown; resubmit one selected with the keyboard, then all.
        browser.Find("#link-deadletters").Click();
        browser.UntilText("main h1", $"Dead letters of {queue}");
        browser.Until(() => browser.Driver.FindElements(By.CssSelector("#deadletter-list tbody tr[data-seq]")).Count == 3, "three dead letters are listed");
        Assert.Contains("poison: cannot parse", browser.TextOf("#deadletter-list"));
        browser.SaveScreenshot("deadletters");
        browser.Find("#deadletter-list input[type=checkbox]").SendKeys(Keys.Space);
        browser.Find("#resubmit-selected").Click();
        browser.UntilText("#status", $"Resubmitted 1 dead letters to {queue}.");
        browser.Until(() => browser.Driver.FindElements(By.CssSelector("#deadletter-list tbody tr[data-seq]")).Count == 2, "two dead letters are left");
        browser.Find("#resubmit-all").Click();
        browser.UntilText("#status", $"Resubmitted 2 dead letters to {queue}.");
        browser.UntilText("#deadletter-list", "No messages.");
        var runtime = await silo.Client.CreateAdministrationClient().GetQueueRuntimePropertiesAsync(queue);
        Assert.Equal((3, 0), (runtime.ActiveMessageCount, runtime.DeadLetterMessageCount));

        // Back on the queue's page the main queue holds the three again, peeked with their bodies.
        browser.Find("main p a").Click();
        browser.UntilText("[data-count='active'] .value", "3");
        browser.Until(() => browser.Driver.FindElements(By.CssSelector("#peek tr[data-seq]")).Count == 3, "the peek lists three messages");
        Assert.Contains("order 0", browser.TextOf("#peek"));
        browser.SaveScreenshot("queue");

        // Purge of the dead letters, after the inline confirmation.
        var again = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(5));
        await receiver.DeadLetterMessageAsync(again!, "poison");
        browser.Find("#link-deadletters").Click();
        browser.Until(() => browser.Driver.FindElements(By.CssSelector("#deadletter-list tbody tr[data-seq]")).Count == 1, "one dead letter is listed");
        browser.Find("#purge-deadletters").Click();
        browser.Find("#purge-deadletters-confirm").Click();
        browser.UntilText("#status", $"Purged 1 dead letters of {queue}.");
        browser.UntilText("#deadletter-list", "No messages.");

        // Purge of the main queue from the entity page.
        browser.Find("main p a").Click();
        browser.UntilText("main h1", $"Queue {queue}");
        browser.Find("#purge-main").Click();
        browser.Find("#purge-main-confirm").SendKeys(Keys.Enter);
        browser.UntilText("#status", $"Purged 2 messages of {queue}.");
        runtime = await silo.Client.CreateAdministrationClient().GetQueueRuntimePropertiesAsync(queue);
        Assert.Equal((0, 0), (runtime.ActiveMessageCount, runtime.DeadLetterMessageCount));

        Assert.Empty(browser.TakeSevereLogEntries());
    }

    [BrowserFact]
    public async Task RuleEditorShowsTheParsersErrorAndSavesAValidFilterAndTheClusterListsTheSilo()
    {
        var topic = "console-" + Guid.NewGuid().ToString("N")[..8] + "/events";
        var admin = silo.Client.CreateAdministrationClient();
        await admin.CreateTopicAsync(topic);
        await admin.CreateSubscriptionAsync(topic, "audit");
        using var browser = new HeadlessBrowser(log);

        // The topic's page lists the subscription; its link leads to the rule editor, loaded with the default rule.
        browser.GoTo(new Uri(Console, "#/topic/" + Uri.EscapeDataString(topic)));
        browser.UntilText("#subscription-table", "audit");
        browser.Find("#subscription-table a[href^='#/rules/']").Click();
        browser.UntilText("#rule-table", "match all");
        Assert.Equal("$Default", browser.Find("#rule-name").GetAttribute("value"));

        // An invalid filter: the page shows the server's 400 with the parser's message, and nothing changed.
        const string invalid = "amount > AND";
        var expected = await silo.SendAsync(HttpMethod.Put, $"topics/{Uri.EscapeDataString(topic)}/subscriptions/audit/rules/%24Default",
            ManagementSilo.Json(new { filter = new { type = "sql", sqlExpression = invalid } }));
        ManagementSilo.AssertProblem(expected, 400, "InvalidArgument", "Rule '$Default' has an invalid SQL filter: ");
        browser.Find("#rule-type").SendKeys("SQL filter");
        browser.Find("#rule-sql").SendKeys(invalid);
        browser.Find("#rule-save").Click();
        browser.UntilText("#rule-error", $"400 InvalidArgument: {(string?)expected.Body!["detail"]}");
        browser.SaveScreenshot("rules-invalid");
        var rules = await ToListAsync(admin.GetRulesAsync(topic, "audit"));
        Assert.IsType<TrueRuleFilter>(Assert.Single(rules).Filter);

        // A valid one replaces the rule.
        browser.Find("#rule-sql").Clear();
        browser.Find("#rule-sql").SendKeys("amount > 100");
        browser.Find("#rule-save").Click();
        browser.UntilText("#status", "Saved rule $Default.");
        browser.UntilText("#rule-table", "amount > 100");
        Assert.Equal("", browser.TextOf("#rule-error"));
        rules = await ToListAsync(admin.GetRulesAsync(topic, "audit"));
        Assert.Equal("amount > 100", Assert.IsType<SqlRuleFilter>(Assert.Single(rules).Filter).SqlExpression);
        browser.SaveScreenshot("rules");

        // The cluster view: this silo, active, hosting entity grains; and the way to the Orleans dashboard.
        browser.Find("nav a[data-section='cluster']").Click();
        browser.UntilText("#silo-rows", "this silo");
        Assert.Contains("Active", browser.TextOf("#silo-rows"));
        browser.Until(() => int.Parse(browser.TextOf("#silo-rows td[data-col='topics']")) >= 1, "the silo hosts the topic's grain");
        Assert.Equal("/dashboard/", new Uri(browser.Find("#link-dashboard").GetAttribute("href")!).AbsolutePath);
        browser.SaveScreenshot("cluster");

        // The one expected failure is the refused rule save (the browser logs every 4xx answer); nothing else.
        Assert.All(browser.TakeSevereLogEntries(), entry => Assert.Contains("400 (Bad Request)", entry));
    }

    private static async Task<List<LoireReceivedMessage>> ReceiveAsync(LoireReceiver receiver, int count)
    {
        var received = new List<LoireReceivedMessage>();
        while (received.Count < count)
        {
            var batch = await receiver.ReceiveMessagesAsync(count - received.Count, TimeSpan.FromSeconds(5));
            Assert.NotEmpty(batch);
            received.AddRange(batch);
        }

        return received;
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }
}
