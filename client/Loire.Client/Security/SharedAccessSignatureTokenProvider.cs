using Loire.Security;

namespace Loire.Client.Security;

/// <summary>Hands out one token issued elsewhere; calls fail with Unauthorized once it expires.</summary>
internal sealed class SharedAccessSignatureTokenProvider : LoireTokenProvider
{
    private readonly string _signature;

    public SharedAccessSignatureTokenProvider(string signature)
    {
        if (SharedAccessSignature.TryParse(signature, out var error) is null)
        {
            throw new ArgumentException($"Not a shared access signature: {error}.", nameof(signature));
        }

        _signature = signature;
    }

    public override ValueTask<string> GetTokenAsync(CancellationToken cancellationToken = default) => new(_signature);
}
