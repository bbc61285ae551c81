using System.Collections.Concurrent;
using Amqp;
using Amqp.Framing;
using Amqp.Listener;
using Amqp.Types;
using Loire.Client;
using ErrorCode = Amqp.ErrorCode;

namespace Loire.Silo.Amqp.Links;

/// <summary>
/// A client's receiver: receives from a Loire receiver no more messages than the link's credit (and
/// <see cref="AmqpFrontDoorOptions.MaxUnsettledPerLink"/> unsettled ones), transfers them, and settles each in Loire
/// when the client disposes of it: accepted completes, released and modified abandon, rejected dead-letters. What
/// the link still holds unsettled when it closes is abandoned once its last receive has returned (within
/// <see cref="PollTime"/>), so that receive cannot take those messages again for a link that is gone.
/// </summary>
internal sealed partial class AmqpReceiveLink
{
    /// <summary>Longest single receive; a drain, new credit or a detach is noticed at the latest after this.</summary>
    private static readonly TimeSpan PollTime = TimeSpan.FromSeconds(5);

    private const int MaxPerReceive = 100;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private readonly LoireReceiver _receiver;
    private readonly ListenerLink _link;
    private readonly int _maxUnsettled;
    private readonly ILogger _logger;
    private readonly bool _locked;
    private readonly ConcurrentDictionary<Message, LoireReceivedMessage> _unsettled = new(ReferenceEqualityComparer.Instance);
    private readonly SemaphoreSlim _wake = new(0);
    private readonly Lock _gate = new();
    private List<LoireReceivedMessage> _releasedAtClose = [];
    private int _credit;
    private uint _libraryCredit;
    private int? _attachingThread;
    private volatile bool _closed;
    private bool _pumpDone;

    public AmqpReceiveLink(LoireReceiver receiver, ListenerLink link, int maxUnsettled, ILogger logger)
    {
        _receiver = receiver;
        _link = link;
        _maxUnsettled = maxUnsettled;
        _logger = logger;
        _locked = receiver.ReceiveMode == LoireReceiveMode.PeekLock;
        link.Closed += (_, _) =>
        {
            _closed = true;
            _wake.Release();
        };
    }

    /// <summary>Answers the client's attach, then starts transferring.</summary>
    public void CompleteAttach(Attach attach)
    {
        _attachingThread = Environment.CurrentManagedThreadId;
        try
        {
            _link.CompleteAttach(attach, null);
        }
        finally
        {
            _attachingThread = null;
        }

        _ = RunAsync();
    }

    /// <summary>
    /// The library's credit callback. It passes the change of the client's limit against its own count, and when a
    /// client lowers its credit it sets its count to zero instead of to what the spec says (the client's limit less
    /// the deliveries sent), so a client that lowers credit would wait forever for messages it is owed. This link
    /// therefore mirrors the library's count and works the client's credit out from it: limit - sent =
    /// library count + delta. While the attach completes, the library reports its whole count instead of a change.
    /// </summary>
    public void OnCredit(int delta, Fields properties, object state)
    {
        lock (_gate)
        {
            if (_attachingThread == Environment.CurrentManagedThreadId)
            {
                _libraryCredit = (uint)delta;
                _credit = delta;
            }
            else
            {
                _credit = Math.Max(0, unchecked((int)(_libraryCredit + (uint)delta)));
                _libraryCredit = delta <= 0 ? 0 : unchecked(_libraryCredit + (uint)delta);
            }
        }

        _wake.Release();
    }

    /// <summary>The client disposed of a delivery (or the link closed and the library released it).</summary>
    public void OnDisposition(Message message, DeliveryState state, bool settled, object context)
    {
        if (!_unsettled.TryRemove(message, out var received))
        {
            return;
        }

        if (_closed)
        {
            // The library releases what was unsettled when the link closed.
            lock (_gate)
            {
                if (!_pumpDone)
                {
                    _releasedAtClose.Add(received);
                    return;
                }
            }
        }

        _ = SettleAsync(message, received, state, settled);
    }

    private async Task RunAsync()
    {
        await PumpAsync().ConfigureAwait(false);
        List<LoireReceivedMessage> released;
        lock (_gate)
        {
            _pumpDone = true;
            released = _releasedAtClose;
            _releasedAtClose = [];
        }

        await AbandonAsync(released).ConfigureAwait(false);
    }

    private async Task PumpAsync()
    {
        while (!_closed)
        {
            int wanted;
            bool draining;
            lock (_gate)
            {
                draining = _link.IsDraining;
                wanted = Math.Min(Math.Min(_credit, MaxPerReceive), _maxUnsettled - _unsettled.Count);
            }

            if (wanted <= 0)
            {
                if (draining)
                {
                    CompleteDrain();
                }

                await _wake.WaitAsync().ConfigureAwait(false);
                continue;
            }

            IReadOnlyList<LoireReceivedMessage> messages;
            try
            {
                messages = await _receiver.ReceiveMessagesAsync(wanted, draining ? TimeSpan.Zero : PollTime).ConfigureAwait(false);
            }
            catch (LoireException e) when (!e.IsTransient)
            {
                LogReceiveFailed(_receiver.EntityPath, e);
                Close(AmqpErrors.From(e));
                return;
            }
            catch (LoireException e)
            {
                LogReceiveFailed(_receiver.EntityPath, e);
                await Task.Delay(RetryDelay).ConfigureAwait(false);
                continue;
            }
            catch (ObjectDisposedException)
            {
                Close(new Error(ErrorCode.DetachForced) { Description = "The broker is shutting down." });
                return;
            }

            Transfer(messages);
            if (messages.Count == 0 && draining)
            {
                CompleteDrain();
            }
        }
    }

    private void Transfer(IReadOnlyList<LoireReceivedMessage> messages)
    {
        List<LoireReceivedMessage>? giveBack = null;
        foreach (var received in messages)
        {
            bool mayTransfer;
            lock (_gate)
            {
                // Credit only shrinks behind the receive's back when the client lowers it, or when the link closed.
                mayTransfer = !_closed && _credit > 0;
                if (mayTransfer)
                {
                    _credit--;
                    _libraryCredit = unchecked(_libraryCredit - 1);
                }
            }

            if (!mayTransfer)
            {
                (giveBack ??= []).Add(received);
                continue;
            }

            var message = AmqpMessageMapper.ToAmqp(received, _locked);
            if (_locked)
            {
                _unsettled[message] = received;
            }

            try
            {
                _link.SendMessage(message);
            }
            catch (AmqpException)
            {
                if (!_locked || _unsettled.TryRemove(message, out _))
                {
                    (giveBack ??= []).Add(received);
                }
            }
        }

        if (giveBack is not null)
        {
            _ = AbandonAsync(giveBack);
        }
    }

    private void CompleteDrain()
    {
        lock (_gate)
        {
            _credit = 0;
            _libraryCredit = 0;
        }

        try
        {
            _link.CompleteDrain();
        }
        catch (AmqpException)
        {
        }
    }

    private async Task SettleAsync(Message message, LoireReceivedMessage received, DeliveryState? state, bool settledByClient)
    {
        DeliveryState answer = state ?? new Released();
        try
        {
            switch (state)
            {
                case Accepted:
                    await _receiver.CompleteMessageAsync(received).ConfigureAwait(false);
                    break;
                case Rejected rejected:
                    var (reason, description) = DeadLetterReason(rejected.Error);
                    await _receiver.DeadLetterMessageAsync(received, reason, description).ConfigureAwait(false);
                    break;
                default:
                    // Released, modified (with or without delivery-failed or undeliverable-here), or settled without an
                    // outcome: the message goes back. Loire counted the delivery when it locked the message, as Service
                    // Bus does, so the next delivery's count is one higher in every case.
                    await _receiver.AbandonMessageAsync(received).ConfigureAwait(false);
                    break;
            }
        }
        catch (LoireException e)
        {
            // Most often the lock expired first: Loire has already made the message available again, so this late
            // outcome changes nothing. A client in receiver-settle-mode "second" hears it as rejected.
            LogLateDisposition(_receiver.EntityPath, received.SequenceNumber, state?.GetType().Name ?? "none", e.Reason, e.Message);
            answer = new Rejected { Error = AmqpErrors.From(e) };
        }
        catch (ObjectDisposedException)
        {
            return;
        }

        if (!settledByClient)
        {
            try
            {
                _link.DisposeMessage(message, answer, settled: true);
            }
            catch (AmqpException)
            {
            }
        }
    }

    /// <summary>The reason: Service Bus's <c>DeadLetterReason</c> info field if the client set one, else the error's condition.</summary>
    private static (string Reason, string? Description) DeadLetterReason(Error? error)
    {
        if (error is null)
        {
            return ("Rejected", null);
        }

        var reason = error.Info?[new Symbol(AmqpMessageMapper.DeadLetterReasonProperty)] as string ?? error.Condition ?? "Rejected";
        var description = error.Info?[new Symbol(AmqpMessageMapper.DeadLetterErrorDescriptionProperty)] as string ?? error.Description;
        return (reason, description);
    }

    private async Task AbandonAsync(List<LoireReceivedMessage> messages)
    {
        if (!_locked)
        {
            // Received and deleted, but the link can no longer take them: this is the at-most-once of a pre-settled link.
            LogDropped(_receiver.EntityPath, messages.Count);
            return;
        }

        foreach (var message in messages)
        {
            try
            {
                await _receiver.AbandonMessageAsync(message).ConfigureAwait(false);
            }
            catch (Exception e) when (e is LoireException or ObjectDisposedException)
            {
                // Its lock expires and it comes back anyway.
            }
        }
    }

    private void Close(Error error)
    {
        try
        {
            _link.Close(TimeSpan.Zero, error);
        }
        catch (AmqpException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "AMQP receive from {EntityPath} failed")]
    private partial void LogReceiveFailed(string entityPath, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "AMQP outcome {Outcome} for message {SequenceNumber} of {EntityPath} came too late ({Reason}): {Detail}")]
    private partial void LogLateDisposition(string entityPath, long sequenceNumber, string outcome, LoireErrorReason reason, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "AMQP link on {EntityPath} closed with {Count} received-and-deleted messages not yet transferred; they are lost (at-most-once)")]
    private partial void LogDropped(string entityPath, int count);
}
