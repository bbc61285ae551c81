using System.Collections.Concurrent;
using Loire.Grains;
using Loire.Grains.Hosting;
using Loire.Messages;
using Loire.Tests.Infrastructure;

namespace Loire.Tests.Delivery;

/// <summary>
/// A cluster whose entities close push delivery links after the shortest lease allowed, and whose client records
/// the id of every link it opens, by entity, so a test can tell a link that lived from one that was replaced.
/// </summary>
public sealed class ShortLeaseClusterFixture : ClusterFixture
{
    public static readonly TimeSpan Lease = LoireBrokerOptions.MinDeliveryLinkLease;

    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Guid, bool>> _opened = new();

    /// <summary>The ids of the links opened on <paramref name="entityPath"/> (a retried open counts once).</summary>
    public IReadOnlyCollection<Guid> LinksOpened(string entityPath) =>
        _opened.TryGetValue(entityPath, out var links) ? [.. links.Keys] : [];

    protected override void ConfigureBroker(LoireBrokerOptions options) => options.DeliveryLinkLease = Lease;

    protected override void ConfigureClient(IClientBuilder client) => client.AddOutgoingGrainCallFilter(context =>
    {
        if (context.MethodName == nameof(IQueueGrain.OpenLinkAsync) && context.Request.GetArgument(0) is DeliveryLinkRequest request)
        {
            _opened.GetOrAdd(context.TargetId.Key.ToString()!, _ => new())[request.LinkId] = true;
        }

        return context.Invoke();
    });
}
