using Loire.Client;
using Loire.Client.Administration;
using Loire.Grains;
using Loire.Messages;
using Loire.Tests.Infrastructure;
using static Loire.Tests.Queues.QueueTestKit;

namespace Loire.Tests.Fuzzing;

/// <summary>A queue a fuzz target sends to, with a receive-and-delete receiver to take each stored message back.</summary>
internal sealed class FuzzQueue : IAsyncDisposable
{
    private readonly LoireAdministrationClient _admin;
    private readonly LoireReceiver _receiver;
    private readonly IQueueGrain _grain;

    private FuzzQueue(LoireClient client, IGrainFactory grains, string path)
    {
        _grain = grains.GetGrain<IQueueGrain>(path);
        _admin = client.CreateAdministrationClient();
        Path = path;
        Sender = client.CreateSender(path);
        _receiver = client.CreateReceiver(path, new LoireReceiverOptions { ReceiveMode = LoireReceiveMode.ReceiveAndDelete });
    }

    public string Path { get; }

    public LoireSender Sender { get; }

    public static async Task<FuzzQueue> CreateAsync(ClusterFixture fixture, [System.Runtime.CompilerServices.CallerMemberName] string test = "")
    {
        var path = NewQueueName(test);
        await fixture.Client.CreateAdministrationClient().CreateQueueAsync(path);
        return new FuzzQueue(fixture.Client, fixture.Cluster.Client, path);
    }

    /// <summary>A failed sample (and CsCheck's shrinking after it) must not leave messages behind for the next one.</summary>
    public Task PurgeAsync() => _grain.PurgeAsync(SubQueueKind.None).AsTask();

    public async Task<LoireReceivedMessage> ReceiveOneAsync() =>
        await _receiver.ReceiveMessageAsync(Patience) ?? throw new Xunit.Sdk.XunitException("a message the broker accepted never arrived");

    /// <summary>A refused send stored nothing: nothing to receive, nothing scheduled.</summary>
    public async Task AssertEmptyAsync()
    {
        var counts = await _admin.GetQueueRuntimePropertiesAsync(Path);
        Assert.Equal(0, counts.ActiveMessageCount + counts.ScheduledMessageCount);
    }

    public async ValueTask DisposeAsync()
    {
        await Sender.DisposeAsync();
        await _receiver.DisposeAsync();
        await _admin.DeleteQueueAsync(Path);
    }
}
