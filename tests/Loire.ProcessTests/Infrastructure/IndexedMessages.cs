using System.Globalization;
using System.Text;
using Loire.Client;

namespace Loire.ProcessTests.Infrastructure;

/// <summary>Messages that carry their index in the body, so a receiver can tell exactly which ones arrived.</summary>
public static class IndexedMessages
{
    private const string BodyPrefix = "message-";

    public static LoireMessage Create(int index) =>
        new(Encoding.UTF8.GetBytes(BodyPrefix + index.ToString(CultureInfo.InvariantCulture))) { MessageId = $"m-{index}" };

    public static int IndexOf(LoireReceivedMessage message)
    {
        var body = Encoding.UTF8.GetString(message.Body.ToArray());
        return body.StartsWith(BodyPrefix, StringComparison.Ordinal)
            ? int.Parse(body.AsSpan(BodyPrefix.Length), CultureInfo.InvariantCulture)
            : throw new FormatException($"Unexpected body '{body}' in message {message.MessageId}.");
    }

    /// <summary>
    /// Receives in peek-lock mode and completes each message until <paramref name="count"/> have arrived or
    /// <paramref name="deadline"/> passes; returns the indexes in arrival order.
    /// </summary>
    public static async Task<List<int>> ReceiveAndCompleteAsync(
        LoireReceiver receiver, int count, TimeSpan deadline, CancellationToken cancellationToken)
    {
        var indexes = new List<int>(count);
        var timer = System.Diagnostics.Stopwatch.StartNew();
        while (indexes.Count < count && timer.Elapsed < deadline)
        {
            var batch = await receiver.ReceiveMessagesAsync(
                maxMessages: Math.Min(100, count - indexes.Count), maxWaitTime: TimeSpan.FromSeconds(2), cancellationToken: cancellationToken);
            await Task.WhenAll(batch.Select(m => receiver.CompleteMessageAsync(m, cancellationToken)));
            indexes.AddRange(batch.Select(IndexOf));
        }

        return indexes;
    }

    /// <summary>Whatever is still in the queue after a receiver got all it expected: should be nothing.</summary>
    public static Task<List<int>> ReceiveLeftoversAsync(LoireReceiver receiver, CancellationToken cancellationToken) =>
        ReceiveAndCompleteAsync(receiver, 100, TimeSpan.FromSeconds(2), cancellationToken);

    /// <summary>Describes at most a few numbers of a set, for assertion messages.</summary>
    public static string Sample(IEnumerable<int> indexes, int max = 20)
    {
        var list = indexes.Order().ToList();
        var shown = string.Join(", ", list.Take(max));
        return list.Count > max ? $"{list.Count} indexes: {shown}, ..." : $"{list.Count} indexes: [{shown}]";
    }
}
