namespace Loire.Client.Security;

/// <summary>
/// Supplies the shared access signature a <see cref="LoireClient"/> sends with each call. Implement it to fetch
/// tokens from elsewhere (a token service, a secret store); the built-in ones sign with a key or hand out a fixed token.
/// </summary>
public abstract class LoireTokenProvider
{
    /// <summary>A token (<c>SharedAccessSignature sr=...&amp;sig=...&amp;se=...&amp;skn=...</c>) valid for the next call.</summary>
    /// <param name="cancellationToken">Cancels fetching the token.</param>
    public abstract ValueTask<string> GetTokenAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// A provider that signs its own tokens with a rule's key, scoped to <paramref name="entityPath"/> (or the whole
    /// namespace when null), valid for <paramref name="tokenTimeToLive"/> (default 1 hour) and renewed before they expire.
    /// </summary>
    /// <exception cref="ArgumentException">The key name or key is empty, or the time to live is under a minute.</exception>
    public static LoireTokenProvider CreateSharedAccessKeyProvider(string keyName, string key, string? entityPath = null, TimeSpan? tokenTimeToLive = null) =>
        new SharedAccessKeyTokenProvider(keyName, key, entityPath, tokenTimeToLive ?? SharedAccessKeyTokenProvider.DefaultTimeToLive, TimeProvider.System);

    /// <summary>A provider that always hands out <paramref name="signature"/>, a token someone else issued.</summary>
    /// <exception cref="ArgumentException">The signature is not a well-formed token.</exception>
    public static LoireTokenProvider CreateSharedAccessSignatureProvider(string signature) => new SharedAccessSignatureTokenProvider(signature);
}
