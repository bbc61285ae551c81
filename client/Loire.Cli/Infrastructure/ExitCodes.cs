using Loire.Client;

namespace Loire.Cli.Infrastructure;

/// <summary>The exit codes scripts may rely on; README's "Command-line tool" section lists them.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Usage = 1;
    public const int NotFound = 2;
    public const int Conflict = 3;
    public const int InvalidArgument = 4;
    public const int Unavailable = 5;
    public const int BrokerError = 6;
    public const int Unauthorized = 7;
    public const int Interrupted = 130;

    public static int For(LoireErrorReason reason) => reason switch
    {
        LoireErrorReason.MessagingEntityNotFound or LoireErrorReason.MessageNotFound => NotFound,
        LoireErrorReason.MessagingEntityAlreadyExists => Conflict,
        LoireErrorReason.InvalidArgument or LoireErrorReason.MessageSizeExceeded => InvalidArgument,
        LoireErrorReason.Unauthorized => Unauthorized,
        _ when LoireException.IsTransientReason(reason) => Unavailable,
        _ => BrokerError,
    };
}
