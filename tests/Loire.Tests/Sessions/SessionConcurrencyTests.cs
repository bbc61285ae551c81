using System.Collections.Concurrent;
using Loire.Client;
using Loire.Client.Administration;
using Loire.Tests.Infrastructure;
using static Loire.Tests.Queues.QueueTestKit;
using static Loire.Tests.Sessions.SessionTestKit;

namespace Loire.Tests.Sessions;

[Collection(ClusterCollection.Name)]
public sealed class SessionConcurrencyTests(ClusterFixture fixture)
{
    private readonly LoireAdministrationClient _admin = fixture.Client.CreateAdministrationClient();

    [Fact]
    public async Task CompetingSessionReceiversEachGetWholeSessionsInOrder()
    {
        const int sessionCount = 12;
        const int perSession = 25;
        var queue = await _admin.CreateSessionQueueAsync();
        var messages = Enumerable.Range(0, perSession)
            .SelectMany(i => Enumerable.Range(0, sessionCount).Select(s => SessionMessage($"s{s}-{i:D3}", $"s{s}")))
            .ToList();
        await fixture.Client.CreateSender(queue).SendMessagesAsync(messages);

        var completed = new ConcurrentQueue<(string Session, string Id, int Worker)>();
        var holders = new ConcurrentDictionary<string, int>();
        async Task WorkAsync(int worker)
        {
            while (true)
            {
                LoireSessionReceiver receiver;
                try
                {
                    receiver = await fixture.Client.AcceptNextSessionAsync(queue, Wait(TimeSpan.FromMilliseconds(500)));
                }
                catch (LoireException e) when (e.Reason == LoireErrorReason.ServiceTimeout)
                {
                    return;
                }

                await using var _ = receiver;
                Assert.True(holders.TryAdd(receiver.SessionId, worker), $"Session {receiver.SessionId} is held twice.");
                try
                {
                    // Take a few, abandon one now and then, and close early sometimes so sessions change hands.
                    for (var round = 0; round < 4; round++)
                    {
                        var batch = await receiver.ReceiveMessagesAsync(3, TimeSpan.Zero);
                        if (batch.Count == 0)
                        {
                            break;
                        }

                        if (round == 1)
                        {
                            await receiver.AbandonMessageAsync(batch[0]);
                            foreach (var extra in batch.Skip(1))
                            {
                                await receiver.AbandonMessageAsync(extra);
                            }

                            continue;
                        }

                        foreach (var message in batch)
                        {
                            completed.Enqueue((receiver.SessionId, message.MessageId!, worker));
                            await receiver.CompleteMessageAsync(message);
                        }
                    }
                }
                finally
                {
                    holders.TryRemove(receiver.SessionId, out var _);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 4).Select(WorkAsync));

        var all = completed.ToList();
        Assert.Equal(sessionCount * perSession, all.Count);
        Assert.Equal(all.Count, all.Select(c => c.Id).Distinct().Count());
        foreach (var session in all.GroupBy(c => c.Session))
        {
            var ids = session.Select(c => c.Id).ToList();
            Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
        }

        Assert.Equal(0, (await _admin.GetQueueRuntimePropertiesAsync(queue)).TotalMessageCount);
    }
}
