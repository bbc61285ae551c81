namespace Loire.Client;

/// <summary>Which part of a queue or subscription a receiver reads.</summary>
public enum SubQueue
{
    /// <summary>The entity itself.</summary>
    None = 0,

    /// <summary>Its dead-letter queue (path suffix <c>/$deadletterqueue</c>).</summary>
    DeadLetter = 1,
}
