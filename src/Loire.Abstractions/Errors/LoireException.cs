namespace Loire.Client;

/// <summary>The one exception type Loire raises for broker failures; <see cref="Reason"/> says why.</summary>
[GenerateSerializer, Alias("loire.LoireException")]
public sealed class LoireException : Exception
{
    /// <summary>Creates an exception with a reason and an optional entity path.</summary>
    public LoireException(LoireErrorReason reason, string message, string? entityPath = null, Exception? innerException = null)
        : base(Describe(reason, message, entityPath), innerException)
    {
        Reason = reason;
        EntityPath = entityPath;
    }

    private LoireException(string describedMessage, LoireErrorReason reason, string? entityPath)
        : base(describedMessage)
    {
        Reason = reason;
        EntityPath = entityPath;
    }

    /// <summary>Why the operation failed.</summary>
    [Id(0)]
    public LoireErrorReason Reason { get; }

    /// <summary>The entity the operation addressed, when known.</summary>
    [Id(1)]
    public string? EntityPath { get; }

    /// <summary>True when retrying the same operation may succeed.</summary>
    public bool IsTransient => IsTransientReason(Reason);

    /// <summary>Whether a failure with <paramref name="reason"/> may go away on retry.</summary>
    public static bool IsTransientReason(LoireErrorReason reason) => reason is
        LoireErrorReason.ServiceBusy or LoireErrorReason.ServiceTimeout or
        LoireErrorReason.StoreUnavailable or LoireErrorReason.ServiceCommunicationProblem;

    /// <summary>
    /// The same error without its inner exception, naming the cause's type instead: what a grain may send to a
    /// client, which cannot deserialize the silo's own exception types (Redis, SQLite).
    /// </summary>
    internal LoireException WithoutInnerException() => InnerException is null
        ? this
        : new LoireException($"{Message} (cause: {InnerException.GetType().Name})", Reason, EntityPath);

    private static string Describe(LoireErrorReason reason, string message, string? entityPath) => entityPath is null
        ? $"{message} (Reason: {reason})"
        : $"{message} (Reason: {reason}, Entity: {entityPath})";
}
