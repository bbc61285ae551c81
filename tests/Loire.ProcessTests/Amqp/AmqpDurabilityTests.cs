using Amqp;
using Amqp.Framing;
using Loire.Client;
using Loire.Client.Administration;
using Loire.ProcessTests.Infrastructure;

namespace Loire.ProcessTests.Amqp;

/// <summary>The AMQP front door answers <c>accepted</c> only once a send is durable: a kill -9 right after loses none.</summary>
[Collection(SiloProcessCollection.Name)]
public sealed class AmqpDurabilityTests
{
    [Fact]
    public async Task AcceptedSendsSurviveAKillNine()
    {
        const string queue = "amqp/durable";
        var (silo, port) = await AmqpSilo.StartAsync();
        await using var _ = silo;
        await using (var setup = new LoireClient(silo.Gateway))
        {
            await setup.CreateAdministrationClient().CreateQueueAsync(new CreateQueueOptions(queue));
        }

        var connection = await Connection.Factory.CreateAsync(new Address($"amqp://127.0.0.1:{port}"));
        var sender = new SenderLink(new Session(connection), "durable", queue);
        var ids = Enumerable.Range(0, 20).Select(i => $"m-{i}").ToList();

        // All in flight at once, so they share commits; each task completes when its disposition says accepted.
        await Task.WhenAll(ids.Select(id => sender.SendAsync(new Message(id) { Properties = new Properties { MessageId = id } })));
        await silo.KillAsync();
        try
        {
            connection.Close(TimeSpan.Zero);
        }
        catch (AmqpException)
        {
            // The socket is gone already.
        }

        using var ready = new CancellationTokenSource(SiloProcess.ReadyTimeout);
        await silo.RestartAsync(ready.Token);
        await using var client = new LoireClient(silo.Gateway);
        var receiver = client.CreateReceiver(queue, new LoireReceiverOptions { ReceiveMode = LoireReceiveMode.ReceiveAndDelete });
        var received = new List<string>();
        while (received.Count < ids.Count && await receiver.ReceiveMessagesAsync(ids.Count, AmqpSilo.Wait) is { Count: > 0 } batch)
        {
            received.AddRange(batch.Select(m => m.MessageId!));
        }

        Assert.Equal(ids.Order(), received.Order());
    }
}
