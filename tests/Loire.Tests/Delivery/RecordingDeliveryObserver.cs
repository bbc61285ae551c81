using System.Collections.Concurrent;
using Loire.Client;
using Loire.Grains;
using Loire.Messages;

namespace Loire.Tests.Delivery;

/// <summary>
/// An observer that records what a queue grain pushes to it, for link tests that talk to the grain directly; its
/// reference is made on first use and deleted on dispose.
/// </summary>
internal sealed class RecordingDeliveryObserver(IGrainFactory grainFactory) : IDeliveryObserver, IDisposable
{
    private readonly ConcurrentQueue<(Guid Link, long First, DeliveredMessage[] Messages)> _pushes = new();
    private int _count;
    private IDeliveryObserver? _reference;

    /// <summary>The reference to pass to the grain.</summary>
    public IDeliveryObserver Reference => _reference ??= grainFactory.CreateObjectReference<IDeliveryObserver>(this);

    public ConcurrentQueue<(Guid Link, long Delivered, LoireErrorReason Reason)> Closures { get; } = new();

    public int Count => Volatile.Read(ref _count);

    public IEnumerable<DeliveredMessage> Messages => _pushes.SelectMany(p => p.Messages);

    public IEnumerable<(Guid Link, long First, DeliveredMessage[] Messages)> Pushes => _pushes;

    public Task OnMessagesAsync(Guid linkId, long firstDelivery, DeliveredMessage[] messages)
    {
        _pushes.Enqueue((linkId, firstDelivery, messages));
        Interlocked.Add(ref _count, messages.Length);
        return Task.CompletedTask;
    }

    public Task OnLinkClosedAsync(Guid linkId, long delivered, LoireErrorReason reason, string message)
    {
        Closures.Enqueue((linkId, delivered, reason));
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        if (_reference is not null)
        {
            grainFactory.DeleteObjectReference<IDeliveryObserver>(_reference);
        }
    }
}
