namespace Loire.Silo.Scaling;

/// <summary>
/// The scaler endpoint's answer: the summed depth of one entity or of every entity under a prefix. <see cref="Value"/>
/// is the metric asked for, where KEDA's metrics-api scaler reads it (<c>valueLocation: value</c>).
/// </summary>
public sealed record ScalerDepthResponse(
    string? Entity,
    string? Prefix,
    string Metric,
    int Entities,
    long ActiveMessages,
    long DeadLetterMessages,
    long ScheduledMessages,
    long DeferredMessages,
    long SizeInBytes,
    double OldestMessageAgeSeconds,
    int UnrecordedEntities,
    double Value);
