using Loire.Client;
using Orleans.Runtime;

namespace Loire.Silo.Management;

/// <summary>
/// Turns broker failures of a management call into problem responses. Grains throw <see cref="LoireException"/>;
/// a call that Orleans could not deliver or that timed out is transient, like the client's ServiceTimeout and
/// ServiceCommunicationProblem, so an operator's script may retry it.
/// </summary>
internal sealed partial class ManagementErrorFilter(ILogger<ManagementErrorFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (LoireException exception)
        {
            if (exception.Reason is LoireErrorReason.GeneralError)
            {
                LogFailed(logger, context.HttpContext.Request.Method, context.HttpContext.Request.Path, exception);
            }

            return ManagementProblem.From(exception);
        }
        catch (TimeoutException exception)
        {
            return ManagementProblem.Create(LoireErrorReason.ServiceTimeout, exception.Message);
        }
        catch (OrleansMessageRejectionException exception)
        {
            return ManagementProblem.Create(LoireErrorReason.ServiceCommunicationProblem, exception.Message);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Management call {Method} {Path} failed")]
    private static partial void LogFailed(ILogger logger, string method, string path, Exception exception);
}
