using System.Security.Cryptography.X509Certificates;
using Amqp;
using Amqp.Framing;
using Amqp.Listener;
using Loire.Client;
using Loire.Client.Administration;
using Loire.Silo.Amqp.Links;
using Loire.Silo.Amqp.Security;
using Loire.Silo.Amqp.Transport;
using ErrorCode = Amqp.ErrorCode;

namespace Loire.Silo.Amqp;

/// <summary>
/// What the AMQP library asks of the broker: messages decoded from transfers, and links attached to an address.
/// Attaching looks the entity up and checks access asynchronously, then answers with the attach or with an AMQP error
/// (the refused link's attach carries no terminus, and a detach with the error follows, as the spec prescribes).
/// </summary>
internal sealed partial class AmqpContainer(
    LoireClient client,
    IAmqpAccessControl access,
    AmqpFrontDoorOptions options,
    AcceptedTransports transports,
    ILoggerFactory loggerFactory) : IContainer
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<AmqpContainer>();
    private readonly LoireAdministrationClient _admin = client.CreateAdministrationClient();

    public X509Certificate2 ServiceCertificate => null!;

    public IDictionary<string, TransportProvider> CustomTransports { get; } = new Dictionary<string, TransportProvider> { [AmqpFrontDoor.Scheme] = transports };

    public Message CreateMessage(ByteBuffer buffer) => Message.Decode(buffer);

    public Link CreateLink(ListenerConnection connection, ListenerSession session, Attach attach) => new ListenerLink(session, attach);

    public bool AttachLink(ListenerConnection connection, ListenerSession session, Link link, Attach attach)
    {
        var identity = (connection.Principal as AmqpPrincipal)?.AmqpIdentity ?? AmqpIdentity.Anonymous("NONE");
        _ = AttachAsync((ListenerLink)link, attach, identity);
        return false;
    }

    private async Task AttachAsync(ListenerLink link, Attach attach, AmqpIdentity identity)
    {
        // The library's Role is its own side's: true when the broker receives, that is the client sends.
        var clientSends = link.Role;
        string? rawAddress = clientSends ? (attach.Target as Target)?.Address : (attach.Source as Source)?.Address;
        try
        {
            if (!clientSends && attach.Source is Source { Dynamic: true })
            {
                throw new AmqpException(ErrorCode.NotImplemented, "Dynamic (temporary) nodes are not supported; create a queue and attach to it.");
            }

            var address = AmqpAddress.Parse(rawAddress);
            var accessKind = clientSends ? AmqpAccess.Send : AmqpAccess.Listen;
            if (!await access.AuthorizeAsync(identity, address.EntityPath, accessKind, CancellationToken.None).ConfigureAwait(false))
            {
                throw new AmqpException(ErrorCode.UnauthorizedAccess, $"'{identity.Name}' may not {accessKind.ToString().ToLowerInvariant()} on '{address}'.");
            }

            if (clientSends)
            {
                await AttachSenderAsync(link, attach, address).ConfigureAwait(false);
            }
            else
            {
                await AttachReceiverAsync(link, attach, address).ConfigureAwait(false);
            }

            LogAttached(attach.LinkName, clientSends ? "sender" : "receiver", address.ToString(), identity.Name);
        }
        catch (Exception e) when (e is AmqpException or LoireException)
        {
            var error = e is AmqpException amqp ? amqp.Error : AmqpErrors.From((LoireException)e);
            LogAttachRefused(attach.LinkName, rawAddress, error.Condition, error.Description);
            link.CompleteAttach(attach, error);
        }
    }

    private async Task AttachSenderAsync(ListenerLink link, Attach attach, AmqpAddress address)
    {
        if (address.Subscription is not null || address.DeadLetter)
        {
            throw new AmqpException(ErrorCode.NotAllowed, $"'{address}' cannot be sent to: send to the queue or the topic.");
        }

        if (!await _admin.QueueExistsAsync(address.Path).ConfigureAwait(false) && !await _admin.TopicExistsAsync(address.Path).ConfigureAwait(false))
        {
            throw NotFound(address);
        }

        var sendLink = new AmqpSendLink(client.CreateSender(address.Path), link, options.SenderCredit, loggerFactory.CreateLogger<AmqpSendLink>());
        attach.MaxMessageSize = (ulong)options.MaxMessageSize;
        link.InitializeReceiver((uint)options.SenderCredit, sendLink.OnMessage, null);
        link.CompleteAttach(attach, null);
    }

    private async Task AttachReceiverAsync(ListenerLink link, Attach attach, AmqpAddress address)
    {
        bool requiresSession;
        try
        {
            requiresSession = address.Subscription is null
                ? (await _admin.GetQueueAsync(address.Path).ConfigureAwait(false)).RequiresSession
                : (await _admin.GetSubscriptionAsync(address.Path, address.Subscription).ConfigureAwait(false)).RequiresSession;
        }
        catch (LoireException e) when (e.Reason == LoireErrorReason.MessagingEntityNotFound)
        {
            throw address.Subscription is null && await _admin.TopicExistsAsync(address.Path).ConfigureAwait(false)
                ? new AmqpException(ErrorCode.NotAllowed, $"'{address.Path}' is a topic: receive from one of its subscriptions, '{address.Path}/Subscriptions/<name>'.")
                : NotFound(address);
        }

        if (requiresSession && !address.DeadLetter)
        {
            throw new AmqpException(ErrorCode.NotImplemented, $"'{address}' requires sessions, which the AMQP front door does not support yet; use the .NET client.");
        }

        var receiverOptions = new LoireReceiverOptions
        {
            // A pre-settled link (sender settle mode "settled") is at-most-once: receive-and-delete.
            ReceiveMode = link.SettleOnSend ? LoireReceiveMode.ReceiveAndDelete : LoireReceiveMode.PeekLock,
            SubQueue = address.DeadLetter ? SubQueue.DeadLetter : SubQueue.None,
        };
        var receiver = address.Subscription is null
            ? client.CreateReceiver(address.Path, receiverOptions)
            : client.CreateReceiver(address.Path, address.Subscription, receiverOptions);
        var receiveLink = new AmqpReceiveLink(receiver, link, options.MaxUnsettledPerLink, loggerFactory.CreateLogger<AmqpReceiveLink>());
        link.InitializeSender(receiveLink.OnCredit, receiveLink.OnDisposition, null);
        receiveLink.CompleteAttach(attach);
    }

    private static AmqpException NotFound(AmqpAddress address) =>
        new(ErrorCode.NotFound, $"The messaging entity '{address.EntityPath}' does not exist.");

    [LoggerMessage(Level = LogLevel.Debug, Message = "AMQP link {Link} attached: {Role} on {Address} for {Identity}")]
    private partial void LogAttached(string link, string role, string address, string identity);

    [LoggerMessage(Level = LogLevel.Information, Message = "AMQP link {Link} to '{Address}' refused: {Condition} {Description}")]
    private partial void LogAttachRefused(string link, string? address, string condition, string? description);
}
