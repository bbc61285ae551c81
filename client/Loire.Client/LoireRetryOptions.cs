namespace Loire.Client;

/// <summary>
/// How the client retries operations that failed with a transient error
/// (<see cref="LoireException.IsTransient"/>).
/// </summary>
/// <remarks>
/// Operations that are safe to repeat (receive, peek, reads of the administration client, lock renewal, cancelling
/// scheduled messages and sends, which carry a fixed <see cref="LoireMessage.MessageId"/>) are retried after any
/// transient failure, timeouts included. Operations that would act twice or fail on a second run (settlement,
/// scheduling, create, delete, rule changes) are retried only when the failure proves the first attempt never reached
/// the broker; after a timeout they throw <see cref="LoireErrorReason.ServiceTimeout"/> and the caller decides.
/// </remarks>
public sealed class LoireRetryOptions
{
    /// <summary>
    /// Most retries after the first attempt; 0 disables retrying. Default 5: with the default delays the retries span
    /// about 6 s (0.2 + 0.4 + 0.8 + 1.6 + 3.2 s, each within 20 % jitter), longer than a cluster takes to declare a
    /// killed silo dead and re-activate its entities elsewhere, so callers ride through a silo failure.
    /// </summary>
    public int MaxRetries { get; set; } = 5;

    /// <summary>Wait before the first retry (and between retries in <see cref="LoireRetryMode.Fixed"/> mode). Default 0.2 s.</summary>
    public TimeSpan Delay { get; set; } = TimeSpan.FromSeconds(0.2);

    /// <summary>Longest wait between two retries. Default 5 s.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Whether waits stay fixed or grow exponentially. Default <see cref="LoireRetryMode.Exponential"/>.</summary>
    public LoireRetryMode Mode { get; set; } = LoireRetryMode.Exponential;

    internal LoireRetryOptions Clone() => new() { MaxRetries = MaxRetries, Delay = Delay, MaxDelay = MaxDelay, Mode = Mode };

    internal void Validate()
    {
        if (MaxRetries < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRetries), MaxRetries, "MaxRetries must not be negative.");
        }

        if (Delay < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Delay), Delay, "Delay must not be negative.");
        }

        if (MaxDelay < Delay)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxDelay), MaxDelay, "MaxDelay must not be shorter than Delay.");
        }
    }

    /// <summary>Wait before retry number <paramref name="attempt"/> + 1 (0-based attempt that just failed).</summary>
    internal TimeSpan GetDelay(int attempt)
    {
        if (Mode == LoireRetryMode.Fixed)
        {
            return Delay;
        }

        var factor = Math.Pow(2, Math.Min(attempt, 30)) * (0.8 + (Random.Shared.NextDouble() * 0.4));
        var ticks = Math.Min(Delay.Ticks * factor, MaxDelay.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }
}
