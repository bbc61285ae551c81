namespace Loire.Client;

/// <summary>How the wait between retries grows.</summary>
public enum LoireRetryMode
{
    /// <summary>Every retry waits <see cref="LoireRetryOptions.Delay"/>.</summary>
    Fixed = 0,

    /// <summary>Retry <c>n</c> waits <see cref="LoireRetryOptions.Delay"/> × 2ⁿ (with jitter), at most <see cref="LoireRetryOptions.MaxDelay"/>.</summary>
    Exponential = 1,
}
