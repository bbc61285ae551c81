using Loire.Client;

namespace Loire.Silo.Management;

/// <summary>
/// Errors of the management API: <c>application/problem+json</c> whose <c>reason</c> is the broker's
/// <see cref="LoireErrorReason"/> name, the code .NET clients switch on, with the HTTP status derived from it.
/// </summary>
public static class ManagementProblem
{
    /// <summary>
    /// HTTP status for a reason. QuotaExceeded is 403, as in Azure Service Bus' REST API, so 409 keeps meaning "name
    /// taken" and a client can tell a full entity from a conflict without reading the body.
    /// </summary>
    public static int StatusOf(LoireErrorReason reason) => reason switch
    {
        LoireErrorReason.InvalidArgument or LoireErrorReason.MessageSizeExceeded => StatusCodes.Status400BadRequest,
        LoireErrorReason.Unauthorized => StatusCodes.Status401Unauthorized,
        LoireErrorReason.QuotaExceeded => StatusCodes.Status403Forbidden,
        LoireErrorReason.MessagingEntityNotFound or LoireErrorReason.MessageNotFound => StatusCodes.Status404NotFound,
        LoireErrorReason.MessagingEntityAlreadyExists or LoireErrorReason.MessagingEntityDisabled
            or LoireErrorReason.MessageLockLost or LoireErrorReason.SessionLockLost
            or LoireErrorReason.SessionCannotBeLocked => StatusCodes.Status409Conflict,
        LoireErrorReason.ServiceBusy or LoireErrorReason.ServiceTimeout or LoireErrorReason.StoreUnavailable
            or LoireErrorReason.ServiceCommunicationProblem => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

    public static IResult From(LoireException exception) => Create(exception.Reason, exception.Message, exception.EntityPath);

    public static IResult Create(LoireErrorReason reason, string detail, string? entityPath = null)
    {
        var extensions = new Dictionary<string, object?> { ["reason"] = reason.ToString() };
        if (entityPath is not null)
        {
            extensions["entityPath"] = entityPath;
        }

        return Results.Problem(detail: detail, statusCode: StatusOf(reason), title: reason.ToString(), extensions: extensions);
    }

    /// <summary>The exception handlers throw for bad input, so validation reads as one line and the filter answers 400.</summary>
    public static LoireException Invalid(string message, string? entityPath = null) =>
        new(LoireErrorReason.InvalidArgument, message, entityPath);
}
