using System.Diagnostics;
using System.Globalization;
using System.Text;
using Loire.Client;
using Loire.Client.Administration;

namespace Loire.Autoscale;

/// <summary>
/// The load the silos scale on: a burst of messages spread over the queues (the backlog), then a trickle until the
/// controller is done, and consumers that drain at a fixed total rate, slower than the burst. Every message carries
/// its index and a fixed MessageId (the queues detect duplicates, so a retried send is stored once).
/// </summary>
internal sealed class Workload(LoireClient client, AutoscaleOptions options) : IAsyncDisposable
{
    private const int BatchSize = 50;
    private const int ReceiveBatch = 20;
    private static readonly TimeSpan s_receiveWait = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource _stopSending = new();
    private readonly CancellationTokenSource _consumers = new();
    private Task _producing = Task.CompletedTask;
    private Task _consuming = Task.CompletedTask;

    public MessageBooks Books { get; } = new();

    /// <summary>Completes once every burst message is acknowledged.</summary>
    public Task BurstSent { get; private set; } = Task.CompletedTask;

    public async Task CreateQueuesAsync(CancellationToken cancellationToken)
    {
        var admin = client.CreateAdministrationClient();
        for (var q = 0; q < options.Queues; q++)
        {
            try
            {
                await admin.CreateQueueAsync(new CreateQueueOptions(options.QueueName(q))
                {
                    RequiresDuplicateDetection = true,
                    LockDuration = TimeSpan.FromSeconds(10),
                }, cancellationToken);
            }
            catch (LoireException e) when (e.Reason == LoireErrorReason.MessagingEntityAlreadyExists)
            {
                // A rerun on the same Redis: its earlier messages are drained by the consumers but not counted.
            }
        }
    }

    public void Start()
    {
        BurstSent = Task.WhenAll(Enumerable.Range(0, options.Queues).Select(q => Task.Run(() => SendBurstAsync(q, _stopSending.Token))));
        _producing = Task.Run(async () =>
        {
            await BurstSent;
            await TrickleAsync(_stopSending.Token);
        });
        _consuming = Task.WhenAll(Enumerable.Range(0, options.Queues).Select(q => Task.Run(() => ConsumeAsync(q, _consumers.Token))));
    }

    /// <summary>Stops sending; returns once the last send is answered.</summary>
    public async Task StopProducingAsync()
    {
        await _stopSending.CancelAsync();
        await _producing;
    }

    public async ValueTask DisposeAsync()
    {
        await StopProducingAsync();
        await _consumers.CancelAsync();
        await _consuming;
        _stopSending.Dispose();
        _consumers.Dispose();
    }

    private async Task SendBurstAsync(int queue, CancellationToken stop)
    {
        var sender = client.CreateSender(options.QueueName(queue));
        var mine = Enumerable.Range(0, options.Messages).Where(i => i % options.Queues == queue).ToList();
        var pace = Stopwatch.StartNew();
        var sent = 0;
        foreach (var batch in mine.Chunk(BatchSize))
        {
            if (options.SendRate > 0 && TimeSpan.FromSeconds((double)sent * options.Queues / options.SendRate) - pace.Elapsed is { Ticks: > 0 } ahead)
            {
                await Task.Delay(ahead, CancellationToken.None);
            }

            sent += batch.Length;
            // Until it is acknowledged (or the run stops): the same MessageIds again cannot store a message twice.
            while (true)
            {
                try
                {
                    await sender.SendMessagesAsync(batch.Select(Message), stop);
                    Books.Acknowledge(batch);
                    break;
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (LoireException e) when (e.IsTransient)
                {
                    Books.Fail("send", e);
                }
            }
        }
    }

    private async Task TrickleAsync(CancellationToken stop)
    {
        var pause = TimeSpan.FromSeconds(1.0 / options.TrickleRate);
        var senders = Enumerable.Range(0, options.Queues).Select(q => client.CreateSender(options.QueueName(q))).ToArray();
        for (var index = options.Messages; !stop.IsCancellationRequested; index++)
        {
            try
            {
                await senders[index % options.Queues].SendMessageAsync(Message(index), CancellationToken.None);
                Books.Acknowledge([index]);
                await Task.Delay(pause, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            catch (LoireException e) when (e.IsTransient)
            {
                // Not acknowledged, so not counted; the trickle goes on with the next index.
                Books.Fail("send", e);
            }
        }
    }

    private async Task ConsumeAsync(int queue, CancellationToken stop)
    {
        var receiver = client.CreateReceiver(options.QueueName(queue));
        var perMessage = TimeSpan.FromSeconds((double)options.Queues / options.ConsumeRate);
        while (!stop.IsCancellationRequested)
        {
            var operation = "receive";
            try
            {
                var batch = await receiver.ReceiveMessagesAsync(ReceiveBatch, s_receiveWait, stop);
                if (batch.Count == 0)
                {
                    continue;
                }

                // Counted on arrival: a batch whose completion fails comes back, a duplicate, never a loss.
                foreach (var message in batch)
                {
                    Books.Deliver(IndexOf(message));
                }

                // The work a consumer does: it takes its time, so the backlog drains at the consume rate.
                await Task.Delay(perMessage * batch.Count, stop);
                operation = "complete";
                await receiver.CompleteMessagesAsync(batch, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            catch (LoireException e)
            {
                Books.Fail(operation, e);
            }
        }
    }

    private static LoireMessage Message(int index) =>
        new(Encoding.UTF8.GetBytes(index.ToString(CultureInfo.InvariantCulture))) { MessageId = $"m-{index}" };

    private static int IndexOf(LoireReceivedMessage message) =>
        int.Parse(Encoding.UTF8.GetString(message.Body.ToArray()), CultureInfo.InvariantCulture);
}
