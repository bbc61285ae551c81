using Loire.Messages;

namespace Loire.Grains.Queues;

/// <summary>An accept-next-session call parked until an unlocked session gets a message or its wait time runs out.</summary>
internal sealed class SessionAcceptWaiter
{
    private readonly TaskCompletionSource<(MessageSession Session, AcceptedSession Accepted)> _completion =
        new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<(MessageSession Session, AcceptedSession Accepted)> Task => _completion.Task;

    public void Complete(MessageSession session, AcceptedSession accepted) => _completion.TrySetResult((session, accepted));

    public void Fail(Exception exception) => _completion.TrySetException(exception);
}
