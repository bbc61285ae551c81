using System.Collections.Concurrent;
using Loire.Grains;

namespace Loire.Tests.Infrastructure;

/// <summary>
/// Holds the fixture client's settle calls to chosen entities until the test releases them (an outgoing grain call
/// filter), so a test can watch what a processor does while its settlements are on their way.
/// </summary>
internal static class SettleCallGate
{
    private static readonly ConcurrentDictionary<string, TaskCompletionSource> Held = new();

    /// <summary>Holds settle calls to <paramref name="entityPath"/> until the returned object is disposed.</summary>
    public static IDisposable Hold(string entityPath)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!Held.TryAdd(entityPath, gate))
        {
            throw new InvalidOperationException($"Settle calls to {entityPath} are held already.");
        }

        return new Release(entityPath, gate);
    }

    public static async Task FilterAsync(IOutgoingGrainCallContext context)
    {
        if (context.MethodName == nameof(IQueueGrain.SettleAsync) && Held.TryGetValue(context.TargetId.Key.ToString()!, out var gate))
        {
            await gate.Task;
        }

        await context.Invoke();
    }

    private sealed class Release(string entityPath, TaskCompletionSource gate) : IDisposable
    {
        public void Dispose()
        {
            Held.TryRemove(entityPath, out _);
            gate.TrySetResult();
        }
    }
}
