using System.Net;

namespace Loire.Silo.Amqp;

/// <summary>Where the AMQP front door listens and how much one link may hold.</summary>
public sealed class AmqpFrontDoorOptions
{
    public IPAddress ListenAddress { get; set; } = IPAddress.Loopback;

    /// <summary>The port; 0 picks a free one (see <see cref="AmqpFrontDoor.Port"/>).</summary>
    public int Port { get; set; }

    /// <summary>Advertised to senders as the link's max-message-size; the broker enforces its own limit on every send.</summary>
    public long MaxMessageSize { get; set; } = 1024 * 1024;

    /// <summary>Credit each client sender gets, and so the most of its messages in flight (not yet stored) at once.</summary>
    public int SenderCredit { get; set; } = 100;

    /// <summary>Most messages one client receiver holds locked and unsettled, whatever credit it grants.</summary>
    public int MaxUnsettledPerLink { get; set; } = 1000;

    /// <summary>Longest a connection may take over its SASL exchange.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
