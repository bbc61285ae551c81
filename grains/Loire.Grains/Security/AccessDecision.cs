namespace Loire.Grains.Security;

/// <summary>The outcome of checking a token: allowed or not, for whom, and why not.</summary>
/// <param name="Allowed">True when the call may go ahead.</param>
/// <param name="Who">The key name that signed the token (as claimed, when refused), or <c>anonymous</c>.</param>
/// <param name="Failure">Why the call was refused; null when allowed.</param>
public readonly record struct AccessDecision(bool Allowed, string Who, string? Failure)
{
    /// <summary>Who a call without a (readable) token is.</summary>
    public const string Anonymous = "anonymous";

    public static AccessDecision Allow(string who) => new(true, who, null);

    public static AccessDecision Refuse(string who, string failure) => new(false, who, failure);
}
