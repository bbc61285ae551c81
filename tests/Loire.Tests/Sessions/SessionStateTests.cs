using Loire.Client;
using Loire.Client.Administration;
using Loire.Grains;
using Loire.Storage;
using Loire.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Core.Internal;
using static Loire.Tests.Queues.QueueTestKit;
using static Loire.Tests.Sessions.SessionTestKit;

namespace Loire.Tests.Sessions;

[Collection(ClusterCollection.Name)]
public sealed class SessionStateTests(ClusterFixture fixture)
{
    private readonly LoireAdministrationClient _admin = fixture.Client.CreateAdministrationClient();

    [Fact]
    public async Task SessionStateRoundTripsAndOutlivesTheReceiver()
    {
        var queue = await _admin.CreateSessionQueueAsync();
        await using (var receiver = await fixture.Client.AcceptSessionAsync(queue, "s"))
        {
            Assert.Null(await receiver.GetSessionStateAsync());
            await receiver.SetSessionStateAsync(new BinaryData("step-1"));
            Assert.Equal("step-1", (await receiver.GetSessionStateAsync())?.ToString());
            await receiver.SetSessionStateAsync(new BinaryData("step-2"));
        }

        await using (var receiver = await fixture.Client.AcceptSessionAsync(queue, "s"))
        {
            Assert.Equal("step-2", (await receiver.GetSessionStateAsync())?.ToString());
            await receiver.SetSessionStateAsync(new BinaryData(Array.Empty<byte>()));
            Assert.Equal(0, (await receiver.GetSessionStateAsync())?.ToMemory().Length);
            await receiver.SetSessionStateAsync(null);
            Assert.Null(await receiver.GetSessionStateAsync());
        }

        // Other sessions have their own state.
        await using var other = await fixture.Client.AcceptSessionAsync(queue, "t");
        Assert.Null(await other.GetSessionStateAsync());
    }

    [Fact]
    public async Task SessionStateIsStoredAndSurvivesReactivation()
    {
        var queue = await _admin.CreateSessionQueueAsync();
        await fixture.Client.CreateSender(queue).SendMessageAsync(SessionMessage("m1", "s"));
        await using (var receiver = await fixture.Client.AcceptSessionAsync(queue, "s"))
        {
            await receiver.SetSessionStateAsync(new BinaryData("durable"));
        }

        var store = fixture.Cluster.GetSiloServiceProvider().GetRequiredService<IMessageStore>();
        var records = await store.LoadMessagesAsync(queue + "/$sessions");
        Assert.Single(records);

        // A fresh activation loads the state (and the messages) back from the store. Session locks live in memory
        // only: the one held here does not survive, which shows the activation really is new.
        await using var holder = await fixture.Client.AcceptSessionAsync(queue, "held");
        await fixture.Cluster.Client.GetGrain<IQueueGrain>(queue).AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        await using var again = await fixture.Client.AcceptNextSessionAsync(queue, Wait(Patience));
        Assert.Equal("s", again.SessionId);
        await ThrowsLoireAsync(LoireErrorReason.SessionLockLost, () => holder.GetSessionStateAsync());
        await using var retaken = await fixture.Client.AcceptSessionAsync(queue, "held");
        Assert.Equal("durable", (await again.GetSessionStateAsync())?.ToString());
        Assert.Equal("m1", (await again.ReceiveMessageAsync(Patience))?.MessageId);
    }

    [Fact]
    public async Task SessionStateNeedsTheSessionLock()
    {
        var queue = await _admin.CreateSessionQueueAsync(o => o.LockDuration = TimeSpan.FromSeconds(1));
        await fixture.Client.CreateSender(queue).SendMessageAsync(SessionMessage("m1", "s"));
        await using var stale = await fixture.Client.AcceptSessionAsync(queue, "s");

        // Wait (event-driven) for the lock to expire: the next accept gets the session only once it has.
        await using var current = await fixture.Client.AcceptNextSessionAsync(queue, Wait(Patience));
        await current.SetSessionStateAsync(new BinaryData("mine"));

        await ThrowsLoireAsync(LoireErrorReason.SessionLockLost, () => stale.GetSessionStateAsync());
        await ThrowsLoireAsync(LoireErrorReason.SessionLockLost, () => stale.SetSessionStateAsync(new BinaryData("theirs")));
        Assert.Equal("mine", (await current.GetSessionStateAsync())?.ToString());
    }

    [Fact]
    public async Task DeletingTheQueueRemovesSessionState()
    {
        var queue = await _admin.CreateSessionQueueAsync();
        await using (var receiver = await fixture.Client.AcceptSessionAsync(queue, "s"))
        {
            await receiver.SetSessionStateAsync(new BinaryData("old"));
        }

        await _admin.DeleteQueueAsync(queue);

        var store = fixture.Cluster.GetSiloServiceProvider().GetRequiredService<IMessageStore>();
        Assert.Empty(await store.LoadMessagesAsync(queue + "/$sessions"));
        await _admin.CreateQueueAsync(new CreateQueueOptions(queue) { RequiresSession = true });
        await using var fresh = await fixture.Client.AcceptSessionAsync(queue, "s");
        Assert.Null(await fresh.GetSessionStateAsync());
    }
}
