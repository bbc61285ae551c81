using Loire.Client;

namespace Loire.Grains.Hosting;

/// <summary>
/// Every grain call's errors pass here on their way to the caller. A <see cref="LoireException"/> from the store
/// carries the driver's exception (Redis, SQLite) as its inner exception; clients have no codec for those types, so
/// the whole answer would fail to serialize and the caller would see a general error instead of, say, a transient
/// <see cref="LoireErrorReason.StoreUnavailable"/>. The inner exception stays in the silo's log.
/// </summary>
internal sealed class ErrorBoundaryFilter : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        catch (LoireException exception) when (exception.InnerException is not null)
        {
            throw exception.WithoutInnerException();
        }
    }
}
