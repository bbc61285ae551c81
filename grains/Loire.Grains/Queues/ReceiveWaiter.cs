using Loire.Messages;

namespace Loire.Grains.Queues;

/// <summary>A long-polling receive parked until messages arrive or its wait time runs out.</summary>
internal sealed class ReceiveWaiter(ReceiveRequest request)
{
    private readonly TaskCompletionSource<List<MessageEntry>> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ReceiveRequest Request { get; } = request;

    public Task<List<MessageEntry>> Task => _completion.Task;

    public void Complete(List<MessageEntry> entries) => _completion.TrySetResult(entries);

    public void Fail(Exception exception) => _completion.TrySetException(exception);
}
