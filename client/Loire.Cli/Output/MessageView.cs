using System.Text;
using Loire.Client;

namespace Loire.Cli.Output;

/// <summary>A received or peeked message as <c>--json</c> shows it: the body as text when it is UTF-8, else as base64.</summary>
internal sealed record MessageView(
    long SequenceNumber,
    string? MessageId,
    string? Subject,
    string? ContentType,
    string? CorrelationId,
    string? SessionId,
    string? PartitionKey,
    int DeliveryCount,
    LoireMessageState State,
    DateTimeOffset EnqueuedTime,
    DateTimeOffset ExpiresAt,
    string? DeadLetterReason,
    string? DeadLetterErrorDescription,
    IReadOnlyDictionary<string, object> ApplicationProperties,
    int Size,
    string? Body,
    string? BodyBase64)
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static MessageView From(LoireReceivedMessage message)
    {
        var bytes = message.Body.ToMemory();
        var text = TryDecode(bytes.Span);
        return new MessageView(
            message.SequenceNumber, message.MessageId, message.Subject, message.ContentType, message.CorrelationId,
            message.SessionId, message.PartitionKey, message.DeliveryCount, message.State, message.EnqueuedTime,
            message.ExpiresAt, message.DeadLetterReason, message.DeadLetterErrorDescription, message.ApplicationProperties,
            bytes.Length, text, text is null ? Convert.ToBase64String(bytes.Span) : null);
    }

    /// <summary>The body's start for a table cell: one line, at most <paramref name="length"/> characters.</summary>
    public string Preview(int length = 60)
    {
        var text = Body is null ? $"<{Size} bytes>" : Body.ReplaceLineEndings(" ");
        return text.Length <= length ? text : string.Concat(text.AsSpan(0, length - 1), "…");
    }

    private static string? TryDecode(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}
