namespace Loire.Client;

/// <summary>How a <see cref="LoireSessionReceiver"/> is accepted and receives.</summary>
public sealed class LoireSessionReceiverOptions
{
    /// <summary>How long <see cref="LoireClient.AcceptNextSessionAsync(string, LoireSessionReceiverOptions?, CancellationToken)"/> waits when no session is free by default: 60 seconds.</summary>
    public static readonly TimeSpan DefaultMaxWaitTime = TimeSpan.FromSeconds(60);

    /// <summary>Lock and settle (default), or remove on delivery.</summary>
    public LoireReceiveMode ReceiveMode { get; set; } = LoireReceiveMode.PeekLock;

    /// <summary>
    /// How many messages of the session the receiver may fetch ahead and hold locally (default 0: none); see
    /// <see cref="LoireReceiverOptions.PrefetchCount"/>. Ignored in <see cref="LoireReceiveMode.ReceiveAndDelete"/> mode.
    /// </summary>
    public int PrefetchCount { get; set; }

    /// <summary>
    /// How long accepting the next session waits for an unlocked session with available messages before it fails
    /// with <see cref="LoireErrorReason.ServiceTimeout"/> (default <see cref="DefaultMaxWaitTime"/>; zero asks once).
    /// Accepting a named session never waits.
    /// </summary>
    public TimeSpan MaxWaitTime { get; set; } = DefaultMaxWaitTime;

    internal LoireReceiverOptions ToReceiverOptions() => new() { ReceiveMode = ReceiveMode, PrefetchCount = PrefetchCount };

    internal void Validate()
    {
        if (MaxWaitTime < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxWaitTime), MaxWaitTime, "MaxWaitTime must not be negative.");
        }

        if (PrefetchCount < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(PrefetchCount), PrefetchCount, "PrefetchCount must not be negative.");
        }

        if (!Enum.IsDefined(ReceiveMode))
        {
            throw new ArgumentOutOfRangeException(nameof(ReceiveMode), ReceiveMode, "Unknown receive mode.");
        }
    }
}
