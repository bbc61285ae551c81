namespace Loire.Client;

/// <summary>Why a Loire operation failed. Stable: used as a metric tag and in logs.</summary>
[GenerateSerializer, Alias("loire.LoireErrorReason")]
public enum LoireErrorReason
{
    /// <summary>An unexpected failure.</summary>
    GeneralError = 0,
    /// <summary>The queue, topic, subscription or rule does not exist.</summary>
    MessagingEntityNotFound = 1,
    /// <summary>An entity with that name already exists.</summary>
    MessagingEntityAlreadyExists = 2,
    /// <summary>The lock token is unknown, already settled or its lock expired.</summary>
    MessageLockLost = 3,
    /// <summary>The session lock is held by someone else or expired.</summary>
    SessionLockLost = 4,
    /// <summary>No message with the requested sequence number.</summary>
    MessageNotFound = 5,
    /// <summary>The entity is full (size or message count).</summary>
    QuotaExceeded = 6,
    /// <summary>The message is larger than the entity allows.</summary>
    MessageSizeExceeded = 7,
    /// <summary>An argument is malformed (name, filter, option).</summary>
    InvalidArgument = 8,
    /// <summary>The caller lacks the right for the operation.</summary>
    Unauthorized = 9,
    /// <summary>The broker is overloaded; retry later.</summary>
    ServiceBusy = 10,
    /// <summary>The operation did not complete in time; retry may succeed.</summary>
    ServiceTimeout = 11,
    /// <summary>The message store is unreachable; retry may succeed.</summary>
    StoreUnavailable = 12,
    /// <summary>The connection to the cluster failed; retry may succeed.</summary>
    ServiceCommunicationProblem = 13,
    /// <summary>No session is available to accept.</summary>
    SessionCannotBeLocked = 14,
    /// <summary>The entity is being deleted or disabled.</summary>
    MessagingEntityDisabled = 15,
}
