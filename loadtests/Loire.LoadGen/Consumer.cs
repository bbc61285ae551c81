using Loire.Client;

namespace Loire.LoadGen;

/// <summary>
/// One consumer of a queue or subscription, reading the way a user after speed would: a <see cref="LoireProcessor"/>
/// with credit-based prefetch whose auto-completions the client batches, or a <see cref="LoireReceiver"/> that
/// receives batches of up to <c>--prefetch</c> and completes each with one call while it receives the next.
/// Each delivery is recorded before it is settled.
/// </summary>
internal sealed class Consumer : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly LoireProcessor? _processor;
    private readonly Task _receiveLoop = Task.CompletedTask;

    private Consumer(LoireProcessor processor) => _processor = processor;

    private Consumer(Func<CancellationToken, Task> receiveLoop) => _receiveLoop = receiveLoop(_stop.Token);

    /// <summary>Starts consuming <paramref name="queueOrTopic"/> (or its <paramref name="subscription"/>) into <paramref name="record"/>.</summary>
    public static async Task<Consumer> StartAsync(LoireClient client, string queueOrTopic, string? subscription, LoadOptions options,
        Action<ReadOnlyMemory<byte>> record, CancellationToken cancellationToken)
    {
        if (options.Consumer == ConsumerKind.Receiver)
        {
            var receiverOptions = new LoireReceiverOptions { PrefetchCount = options.Prefetch, DeliveryMode = options.Delivery };
            var receiver = subscription is null
                ? client.CreateReceiver(queueOrTopic, receiverOptions)
                : client.CreateReceiver(queueOrTopic, subscription, receiverOptions);
            return new Consumer(stop => ReceiveLoopAsync(receiver, options.Prefetch, record, stop));
        }

        var processorOptions = new LoireProcessorOptions
        {
            PrefetchCount = options.Prefetch,
            MaxConcurrentCalls = options.Concurrency,
            MaxAutoLockRenewalDuration = TimeSpan.Zero,
            DeliveryMode = options.Delivery,
        };
        var processor = subscription is null
            ? client.CreateProcessor(queueOrTopic, processorOptions)
            : client.CreateProcessor(queueOrTopic, subscription, processorOptions);
        processor.ProcessMessageAsync += args =>
        {
            record(args.Message.Body.ToMemory());
            return Task.CompletedTask;
        };
        processor.ProcessErrorAsync += args =>
        {
            // A lost delivery shows up as lost or duplicate messages in the result; this says why.
            Console.Error.WriteLine($"# consumer error on {args.EntityPath} ({args.ErrorSource}): {args.Exception.Message}");
            return Task.CompletedTask;
        };
        await processor.StartProcessingAsync(cancellationToken);
        return new Consumer(processor);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_processor is not null)
        {
            await _processor.DisposeAsync();
        }

        try
        {
            await _receiveLoop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private static async Task ReceiveLoopAsync(LoireReceiver receiver, int batchSize, Action<ReadOnlyMemory<byte>> record, CancellationToken stop)
    {
        await using var _ = receiver;
        var completing = Task.CompletedTask;
        while (!stop.IsCancellationRequested)
        {
            var batch = await receiver.ReceiveMessagesAsync(batchSize, TimeSpan.FromSeconds(1), stop);
            foreach (var message in batch)
            {
                record(message.Body.ToMemory());
            }

            // One completion call in flight at a time, overlapping the next receive.
            await completing;
            completing = batch.Count == 0 ? Task.CompletedTask : receiver.CompleteMessagesAsync(batch, CancellationToken.None);
        }

        await completing;
    }
}
