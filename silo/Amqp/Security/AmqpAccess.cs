namespace Loire.Silo.Amqp.Security;

/// <summary>What a link wants to do with an entity, as shared-access rights name it.</summary>
public enum AmqpAccess
{
    /// <summary>A client's sender: send to a queue or topic.</summary>
    Send,

    /// <summary>A client's receiver: receive from a queue, subscription or dead-letter queue.</summary>
    Listen,
}
