using System.Diagnostics;
using System.Text.RegularExpressions;
using Loire.Client;
using Loire.Client.Administration;
using Loire.ProcessTests.Infrastructure;

namespace Loire.ProcessTests;

public sealed partial class ClusterTests
{
    [Fact]
    public async Task APartitionedQueueSpreadsOverBothSilosAndKeepsOrderPerKey()
    {
        const string queue = "partitioned";
        const int partitions = 16;
        const int keys = 8;
        const int perKey = 20;
        using var timeout = new CancellationTokenSource(s_testTimeout);
        var ct = timeout.Token;
        await using var redis = await RedisServer.StartAsync(log, ct);
        await using var first = await StartClusterSiloAsync(redis, ct);
        await using var second = await StartClusterSiloAsync(redis, ct);

        await using var client = new LoireClient(ClientOptions(first, second));
        await client.CreateAdministrationClient().CreateQueueAsync(new CreateQueueOptions(queue) { PartitionCount = partitions }, ct);
        var sender = client.CreateSender(queue);
        for (var i = 0; i < perKey; i += 5)
        {
            for (var key = 0; key < keys; key++)
            {
                var k = key;
                await sender.SendMessagesAsync(Enumerable.Range(i, 5).Select(n => Keyed(k, n)), ct);
            }
        }

        // Each partition grain exports its own depth gauge, so /metrics shows where every partition is active.
        var placement = await WaitForPartitionPlacementAsync([first, second], queue, partitions, TimeSpan.FromSeconds(30), ct);
        log.WriteLine($"first silo hosts partitions [{string.Join(",", placement[0].Order())}], second [{string.Join(",", placement[1].Order())}]");
        Assert.Equal(partitions, placement[0].Union(placement[1]).Count());
        Assert.Empty(placement[0].Intersect(placement[1]));
        Assert.True(placement[0].Count > 0 && placement[1].Count > 0, "The partitions did not spread over both silos.");

        var receiver = client.CreateReceiver(queue);
        var received = new List<LoireReceivedMessage>();
        var timer = Stopwatch.StartNew();
        while (received.Count < keys * perKey && timer.Elapsed < TimeSpan.FromSeconds(60))
        {
            var batch = await receiver.ReceiveMessagesAsync(7, TimeSpan.FromSeconds(5), ct);
            await receiver.CompleteMessagesAsync(batch, ct);
            received.AddRange(batch);
        }

        Assert.Equal(keys * perKey, received.Count);
        foreach (var group in received.GroupBy(m => m.PartitionKey!))
        {
            Assert.Equal(Enumerable.Range(0, perKey), group.Select(IndexedMessages.IndexOf));
        }
    }

    private static LoireMessage Keyed(int key, int index)
    {
        var message = IndexedMessages.Create(index);
        message.PartitionKey = $"key-{key}";
        message.MessageId = $"key-{key}/{index}";
        return message;
    }

    /// <summary>For each silo, which partitions of <paramref name="entity"/> its /metrics reports, once all are found.</summary>
    private static async Task<List<HashSet<int>>> WaitForPartitionPlacementAsync(
        IReadOnlyList<SiloProcess> silos, string entity, int partitionCount, TimeSpan deadline, CancellationToken ct)
    {
        var timer = Stopwatch.StartNew();
        while (true)
        {
            var placement = new List<HashSet<int>>();
            foreach (var silo in silos)
            {
                using var http = new HttpClient { BaseAddress = silo.HttpAddress };
                var text = await http.GetStringAsync("metrics", ct);
                placement.Add(ReportedPartitions(text, entity).ToHashSet());
            }

            if (placement.Sum(p => p.Count) >= partitionCount || timer.Elapsed > deadline)
            {
                return placement;
            }

            await Task.Delay(500, ct);
        }
    }

    /// <summary>Partition 0 is the entity's own grain and carries no partition label.</summary>
    private static IEnumerable<int> ReportedPartitions(string metrics, string entity) =>
        metrics.Split('\n')
            .Where(line => line.StartsWith(HostedEntityMetric + "{", StringComparison.Ordinal))
            .Where(line => EntityLabel().Match(line) is { Success: true } match && match.Groups[1].Value == entity)
            .Select(line => PartitionLabel().Match(line) is { Success: true } match ? int.Parse(match.Groups[1].Value) : 0);

    [GeneratedRegex("[{,]partition=\"([0-9]+)\"")]
    private static partial Regex PartitionLabel();
}
