namespace Loire.Messages;

/// <summary>What became of a topic's fan-out batch, as the topic tells each subscription that admitted it.</summary>
[GenerateSerializer, Alias("loire.DeliveryOutcome")]
public enum DeliveryOutcome
{
    /// <summary>The batch is durable: the subscription indexes the messages.</summary>
    Stored,

    /// <summary>Nothing of the batch was written: the subscription releases the reservation.</summary>
    NotStored,

    /// <summary>
    /// The commit failed in a way that leaves its outcome open (a store timeout after the batch was sent): the
    /// subscription releases the reservation and looks the messages up in the store, since a retry the topic's
    /// duplicate detection answers from a landed batch would otherwise acknowledge copies no one indexed.
    /// </summary>
    Unknown,
}
