using System.Buffers.Binary;
using System.Diagnostics;
using Loire.Client;
using Loire.Client.Administration;

namespace Loire.LoadGen;

/// <summary>
/// Producers send into a fresh durable queue while consumers receive and complete; the rate is messages over
/// first send to last completion. Each payload carries its send timestamp, so consumers also measure latency.
/// </summary>
internal sealed class ThroughputRun(LoireClient client, LoadOptions options)
{
    public async Task<RunResult> ExecuteAsync(string queue, CancellationToken cancellationToken)
    {
        var admin = client.CreateAdministrationClient();
        await admin.CreateQueueAsync(new CreateQueueOptions(queue), cancellationToken);
        try
        {
            var latencies = new LatencyRecorder(options.Messages);
            var progress = new ReceiveProgress(options.Messages);
            var started = Stopwatch.GetTimestamp();
            var consumers = Enumerable.Range(0, options.Consumers)
                .Select(_ => ConsumeAsync(queue, latencies, progress, cancellationToken)).ToArray();
            var producers = Enumerable.Range(0, options.Producers)
                .Select(p => ProduceAsync(queue, Share(options.Messages, options.Producers, p), cancellationToken)).ToArray();
            await Task.WhenAll(producers);
            var sentSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            await Task.WhenAll(consumers);
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            return new RunResult(options.Messages, seconds, options.Messages / sentSeconds, latencies);
        }
        finally
        {
            await admin.DeleteQueueAsync(queue, CancellationToken.None);
        }
    }

    private async Task ProduceAsync(string queue, int count, CancellationToken cancellationToken)
    {
        await using var sender = client.CreateSender(queue);
        using var window = new SemaphoreSlim(options.Window);
        var inFlight = new List<Task>();
        for (var sent = 0; sent < count; sent += options.Batch)
        {
            await window.WaitAsync(cancellationToken);
            var size = Math.Min(options.Batch, count - sent);
            inFlight.Add(SendAsync(sender, size, window, cancellationToken));
        }

        await Task.WhenAll(inFlight);
    }

    private async Task SendAsync(LoireSender sender, int size, SemaphoreSlim window, CancellationToken cancellationToken)
    {
        try
        {
            if (size == 1)
            {
                await sender.SendMessageAsync(NewMessage(), cancellationToken);
            }
            else
            {
                await sender.SendMessagesAsync(Enumerable.Range(0, size).Select(_ => NewMessage()).ToList(), cancellationToken);
            }
        }
        finally
        {
            window.Release();
        }
    }

    private LoireMessage NewMessage()
    {
        var body = new byte[options.Size];
        BinaryPrimitives.WriteInt64LittleEndian(body, Stopwatch.GetTimestamp());
        return new LoireMessage(body);
    }

    private async Task ConsumeAsync(string queue, LatencyRecorder latencies, ReceiveProgress progress, CancellationToken cancellationToken)
    {
        await using var receiver = client.CreateReceiver(queue);
        while (!progress.IsDone)
        {
            var batch = await receiver.ReceiveMessagesAsync(options.ReceiveBatch, TimeSpan.FromSeconds(1), cancellationToken);
            if (batch.Count == 0)
            {
                continue;
            }

            var now = Stopwatch.GetTimestamp();
            foreach (var message in batch)
            {
                latencies.Add(Stopwatch.GetElapsedTime(BinaryPrimitives.ReadInt64LittleEndian(message.Body.ToMemory().Span), now));
            }

            await receiver.CompleteMessagesAsync(batch, cancellationToken);
            progress.Add(batch.Count);
        }
    }

    private sealed class ReceiveProgress(int total)
    {
        private int _received;

        public bool IsDone => Volatile.Read(ref _received) >= total;

        public void Add(int count) => Interlocked.Add(ref _received, count);
    }

    private static int Share(int total, int parts, int index) => total / parts + (index < total % parts ? 1 : 0);
}
