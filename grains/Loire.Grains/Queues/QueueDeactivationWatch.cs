using System.Diagnostics;
using Orleans.Runtime.Diagnostics;

namespace Loire.Grains.Queues;

/// <summary>
/// Tells a queue grain the moment Orleans starts to deactivate it, from Orleans' grain lifecycle diagnostic events.
/// Orleans runs a deactivation only once no request is running in the activation, and until then holds every new
/// call, so a receive parked for its wait time (a processor asks for up to 20 s) would keep the grain, and every send
/// and settlement queued behind it, waiting: on a silo's graceful shutdown, and on any other deactivation (idle, the
/// directory dropping an activation after a silo left, migration). The grain ends its parked waits instead, answering
/// them with what they have, as any long poll may end; the client polls again where the entity is next.
/// Orleans documents these events as public but liable to change between minor versions: the package version is pinned.
/// </summary>
internal sealed class QueueDeactivationWatch : ILifecycleParticipant<ISiloLifecycle>, IObserver<DiagnosticListener>,
    IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private const string DeactivatingEvent = nameof(GrainLifecycleEvents.Deactivating);

    private readonly List<IDisposable> _subscriptions = [];

    // Subscribed before the silo starts and kept to the end: grain deactivation is one of the last stages to stop.
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(QueueDeactivationWatch), ServiceLifecycleStage.First, StartAsync, _ => Task.CompletedTask);

    public void OnNext(DiagnosticListener listener)
    {
        if (listener.Name == GrainLifecycleEvents.ListenerName)
        {
            lock (_subscriptions)
            {
                _subscriptions.Add(listener.Subscribe(this, name => name == DeactivatingEvent));
            }
        }
    }

    public void OnNext(KeyValuePair<string, object?> value)
    {
        if (value.Value is GrainLifecycleEvents.Deactivating { GrainContext.GrainInstance: QueueGrain grain })
        {
            grain.OnDeactivationStarting();
        }
    }

    public void OnCompleted()
    {
    }

    public void OnError(Exception error)
    {
    }

    public void Dispose()
    {
        lock (_subscriptions)
        {
            foreach (var subscription in _subscriptions)
            {
                subscription.Dispose();
            }

            _subscriptions.Clear();
        }
    }

    private Task StartAsync(CancellationToken cancellationToken)
    {
        lock (_subscriptions)
        {
            _subscriptions.Add(DiagnosticListener.AllListeners.Subscribe(this));
        }

        return Task.CompletedTask;
    }
}
