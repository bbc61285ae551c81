using System.Collections.Concurrent;
using Loire.Client;
using Loire.Client.Administration;
using Loire.ProcessTests.Infrastructure;
using Xunit.Abstractions;

namespace Loire.ProcessTests;

/// <summary>A topic's fan-out across a SIGKILL of the silo: every publish is in all its matching subscriptions or in none.</summary>
[Collection(SiloProcessCollection.Name)]
public sealed class FanOutKillTests(ITestOutputHelper log)
{
    private static readonly TimeSpan s_testTimeout = TimeSpan.FromMinutes(4);
    private static readonly string[] s_all = ["a", "b", "even"];

    [Fact]
    public async Task Kill9DuringAFanOutStream_LeavesEveryPublishInAllItsSubscriptionsOrInNone()
    {
        const string topic = "fanout-kill";
        using var timeout = new CancellationTokenSource(s_testTimeout);
        var ct = timeout.Token;
        await using var silo = await SiloProcess.StartAsync(log, ct);

        var acknowledged = new ConcurrentDictionary<int, bool>();
        await using (var client = new LoireClient(new LoireClientOptions { Gateways = { silo.Gateway }, OperationTimeout = TimeSpan.FromSeconds(5), Retry = { MaxRetries = 0 } }))
        {
            var admin = client.CreateAdministrationClient();
            await admin.CreateTopicAsync(new CreateTopicOptions(topic), ct);
            await admin.CreateSubscriptionAsync(topic, "a", ct);
            await admin.CreateSubscriptionAsync(topic, "b", ct);
            await admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "even"), new CreateRuleOptions("even", new SqlRuleFilter("even = true")), ct);

            // Four producers, each with several sends in flight, some of them batches, until the kill stops them.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var next = -1;
            var producers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
            {
                var sender = client.CreateSender(topic);
                var inFlight = new List<Task>();
                while (!stop.IsCancellationRequested)
                {
                    var first = Interlocked.Add(ref next, 3) - 2;
                    var batch = Enumerable.Range(first, first % 2 == 0 ? 3 : 1).ToArray();
                    inFlight.Add(SendAsync(sender, batch, acknowledged, stop.Token));
                    if (inFlight.Count >= 8)
                    {
                        inFlight.Remove(await Task.WhenAny(inFlight));
                    }
                }

                await Task.WhenAll(inFlight);
            })).ToArray();

            while (acknowledged.Count < 1_500 && !ct.IsCancellationRequested)
            {
                await Task.Delay(10, ct);
            }

            await silo.KillAsync();
            await stop.CancelAsync();
            await Task.WhenAll(producers);
        }

        await silo.RestartAsync(ct);
        await using var reconnected = new LoireClient(silo.Gateway);
        var held = new Dictionary<string, List<int>>();
        foreach (var subscription in s_all)
        {
            held[subscription] = await PeekAllAsync(reconnected, topic, subscription, ct);
        }

        log.WriteLine($"{acknowledged.Count} publishes acknowledged before the kill; held: "
            + string.Join(", ", s_all.Select(s => $"{s} {held[s].Count}")));
        foreach (var subscription in s_all)
        {
            var ids = held[subscription];
            Assert.True(ids.Count == ids.Distinct().Count(), $"{subscription} holds a publish twice.");
            var missing = acknowledged.Keys.Where(i => Matches(subscription, i) && !ids.Contains(i)).ToList();
            Assert.True(missing.Count == 0, $"{subscription} lost acknowledged publishes: {string.Join(", ", missing.Take(10))}");
        }

        // Whatever any subscription holds, acknowledged or not, every matching subscription holds too.
        var stored = held.Values.SelectMany(ids => ids).ToHashSet();
        foreach (var subscription in s_all)
        {
            var partial = stored.Where(i => Matches(subscription, i)).Except(held[subscription]).ToList();
            Assert.True(partial.Count == 0, $"Publishes in some subscriptions but not in {subscription}: {string.Join(", ", partial.Take(10))}");
        }
    }

    private static bool Matches(string subscription, int index) => subscription != "even" || index % 2 == 0;

    private static async Task SendAsync(LoireSender sender, int[] indexes, ConcurrentDictionary<int, bool> acknowledged, CancellationToken ct)
    {
        try
        {
            await sender.SendMessagesAsync(indexes.Select(i => new LoireMessage($"body-{i}")
            {
                MessageId = i.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ApplicationProperties = { ["even"] = i % 2 == 0 },
            }), ct);
            foreach (var i in indexes)
            {
                acknowledged[i] = true;
            }
        }
        catch (Exception exception) when (exception is LoireException or OperationCanceledException)
        {
            // Not acknowledged: it may be stored everywhere it matches, or nowhere.
        }
    }

    private static async Task<List<int>> PeekAllAsync(LoireClient client, string topic, string subscription, CancellationToken ct)
    {
        await using var receiver = client.CreateReceiver(topic, subscription);
        var ids = new List<int>();
        long from = 0;
        while (true)
        {
            var page = await receiver.PeekMessagesAsync(1_000, from, ct);
            if (page.Count == 0)
            {
                return ids;
            }

            ids.AddRange(page.Select(m => int.Parse(m.MessageId!, System.Globalization.CultureInfo.InvariantCulture)));
            from = page[^1].SequenceNumber + 1;
        }
    }
}
