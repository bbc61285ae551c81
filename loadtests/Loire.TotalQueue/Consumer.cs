using System.Diagnostics;
using Loire.Client;

namespace Loire.TotalQueue;

/// <summary>
/// Receives peek-lock batches from one destination and completes them until stopped. A message counts as received
/// when the receive returned it; a batch whose completion fails comes back when its locks expire (a duplicate).
/// </summary>
internal sealed class Consumer(LoireReceiver receiver, DestinationBooks books, FailureLog failures, Stopwatch clock)
{
    private const int BatchSize = 50;
    private static readonly TimeSpan s_receiveWait = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_failurePause = TimeSpan.FromMilliseconds(100);

    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var operation = "receive";
            try
            {
                var started = clock.Elapsed;
                var batch = await receiver.ReceiveMessagesAsync(BatchSize, s_receiveWait, stop);
                if (batch.Count == 0)
                {
                    continue;
                }

                books.Receive(started, clock.Elapsed, [.. batch.Select(Producer.IndexOf)]);
                operation = "complete";
                await receiver.CompleteMessagesAsync(batch, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                failures.Add(clock.Elapsed, operation, exception);
                // A pause, so an error that repeats at once does not spin.
                await Task.Delay(s_failurePause, CancellationToken.None);
            }
        }
    }
}
