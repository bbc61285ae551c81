using Loire.Security;

namespace Loire.Client.Security;

/// <summary>
/// Puts the client's token into the request context of every outgoing call, for the silo to verify. The caller's
/// own request context is restored afterwards, so the token never lingers in the application's async flow.
/// </summary>
internal sealed class SharedAccessCallFilter(LoireTokenProvider provider) : IOutgoingGrainCallFilter
{
    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        var token = await provider.GetTokenAsync(CancellationToken.None).ConfigureAwait(false);
        var previous = RequestContext.Get(SharedAccessSignature.RequestContextKey);
        RequestContext.Set(SharedAccessSignature.RequestContextKey, token);
        try
        {
            await context.Invoke().ConfigureAwait(false);
        }
        finally
        {
            if (previous is null)
            {
                RequestContext.Remove(SharedAccessSignature.RequestContextKey);
            }
            else
            {
                RequestContext.Set(SharedAccessSignature.RequestContextKey, previous);
            }
        }
    }
}
