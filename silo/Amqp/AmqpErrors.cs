using Amqp;
using Amqp.Framing;
using Amqp.Types;
using Loire.Client;
using ErrorCode = Amqp.ErrorCode;

namespace Loire.Silo.Amqp;

/// <summary>
/// Loire's errors as AMQP errors: the standard condition where one fits, Service Bus's <c>com.microsoft:</c> condition
/// where only that says it; the Loire reason travels in the error's info as <c>loire:reason</c>.
/// </summary>
internal static class AmqpErrors
{
    public static readonly Symbol ReasonKey = new("loire:reason");

    public static Error From(LoireException exception) => new(Condition(exception.Reason))
    {
        Description = exception.Message,
        Info = new Fields { [ReasonKey] = exception.Reason.ToString() },
    };

    public static Symbol Condition(LoireErrorReason reason) => reason switch
    {
        LoireErrorReason.MessagingEntityNotFound or LoireErrorReason.MessageNotFound => ErrorCode.NotFound,
        LoireErrorReason.QuotaExceeded => ErrorCode.ResourceLimitExceeded,
        LoireErrorReason.MessageSizeExceeded => ErrorCode.MessageSizeExceeded,
        LoireErrorReason.InvalidArgument => ErrorCode.InvalidField,
        LoireErrorReason.Unauthorized => ErrorCode.UnauthorizedAccess,
        LoireErrorReason.MessagingEntityAlreadyExists or LoireErrorReason.MessagingEntityDisabled => ErrorCode.NotAllowed,
        LoireErrorReason.MessageLockLost => "com.microsoft:message-lock-lost",
        LoireErrorReason.SessionLockLost => "com.microsoft:session-lock-lost",
        LoireErrorReason.SessionCannotBeLocked => "com.microsoft:session-cannot-be-locked",
        LoireErrorReason.ServiceBusy or LoireErrorReason.StoreUnavailable => "com.microsoft:server-busy",
        LoireErrorReason.ServiceTimeout => "com.microsoft:timeout",
        _ => ErrorCode.InternalError,
    };
}
