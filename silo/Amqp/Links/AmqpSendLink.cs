using System.Threading.Channels;
using Amqp;
using Amqp.Framing;
using Amqp.Listener;
using Loire.Client;
using ErrorCode = Amqp.ErrorCode;

namespace Loire.Silo.Amqp.Links;

/// <summary>
/// A client's sender: each transfer is stored through a Loire sender, in the link's order, and only then answered —
/// <c>accepted</c> once the send is durable, <c>rejected</c> with the broker's error otherwise. The link's credit is
/// restored as answers go out, so at most that many messages of a link wait in memory.
/// </summary>
internal sealed partial class AmqpSendLink
{
    private readonly LoireSender _sender;
    private readonly ListenerLink _link;
    private readonly ILogger _logger;
    private readonly Channel<Message> _pending;
    private volatile bool _closed;

    public AmqpSendLink(LoireSender sender, ListenerLink link, int credit, ILogger logger)
    {
        _sender = sender;
        _link = link;
        _logger = logger;

        // Twice the credit: the client may have a whole window in flight while the previous one is being answered.
        _pending = Channel.CreateBounded<Message>(new BoundedChannelOptions(credit * 2) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        link.Closed += (_, _) =>
        {
            _closed = true;
            _pending.Writer.TryComplete();
        };
        _ = RunAsync();
    }

    /// <summary>Called on the connection's thread for every complete transfer; never blocks it.</summary>
    public void OnMessage(ListenerLink link, Message message, DeliveryState deliveryState, object state)
    {
        if (!_pending.Writer.TryWrite(message))
        {
            link.Close(TimeSpan.Zero, new Error(ErrorCode.TransferLimitExceeded) { Description = "The client sent more messages than its link credit allows." });
        }
    }

    private async Task RunAsync()
    {
        await foreach (var message in _pending.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            if (_closed)
            {
                // No answer can reach the client any more, so it will send these again: storing them would only duplicate.
                message.Dispose();
                continue;
            }

            var outcome = await StoreAsync(message).ConfigureAwait(false);
            try
            {
                // Settled either way; for a pre-settled transfer this only restores the credit.
                _link.DisposeMessage(message, outcome, settled: true);
            }
            catch (AmqpException)
            {
                // The link closed meanwhile: the client learns nothing of this message, and resends it if it cares.
            }
            finally
            {
                message.Dispose();
            }
        }
    }

    private async Task<DeliveryState> StoreAsync(Message message)
    {
        try
        {
            await _sender.SendMessageAsync(AmqpMessageMapper.ToLoire(message)).ConfigureAwait(false);
            return new Accepted();
        }
        catch (AmqpException e)
        {
            return Rejected(e.Error);
        }
        catch (LoireException e)
        {
            return Rejected(AmqpErrors.From(e));
        }
        catch (ObjectDisposedException)
        {
            return Rejected(new Error(ErrorCode.DetachForced) { Description = "The broker is shutting down." });
        }
    }

    private Rejected Rejected(Error error)
    {
        LogRejected(_sender.EntityPath, error.Condition, error.Description);
        return new Rejected { Error = error };
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "AMQP send to {EntityPath} rejected: {Condition} {Description}")]
    private partial void LogRejected(string entityPath, string condition, string? description);
}
