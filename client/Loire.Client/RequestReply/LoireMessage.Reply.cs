namespace Loire.Client;

public partial class LoireMessage
{
    /// <summary>
    /// Creates the reply to a request: <see cref="CorrelationId"/> is the request's MessageId (what
    /// <see cref="LoireClient.RequestAsync"/> waits for) and <see cref="SessionId"/> its ReplyToSessionId. Send it to
    /// the request's <see cref="LoireReceivedMessage.ReplyTo"/>, or with <see cref="LoireClient.SendReplyAsync"/>.
    /// </summary>
    /// <param name="request">The request as the responder received it.</param>
    /// <param name="body">The reply's payload.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static LoireMessage CreateReply(LoireReceivedMessage request, BinaryData body)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new LoireMessage(body)
        {
            CorrelationId = request.MessageId,
            SessionId = request.ReplyToSessionId,
        };
    }
}
