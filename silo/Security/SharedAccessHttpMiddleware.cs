using Loire.Client;
using Loire.Grains.Security;
using Loire.Security;
using Loire.Silo.Management;

namespace Loire.Silo.Security;

/// <summary>
/// Guards the HTTP port with the same rules as the gateway: the request's <c>Authorization: SharedAccessSignature ...</c>
/// header must carry a token whose rule grants what <see cref="HttpAccessMap"/> asks for. Refused requests get 401
/// problem+json with reason Unauthorized; they, and every management change (a non-GET needing Manage), are audited.
/// </summary>
internal sealed class SharedAccessHttpMiddleware(RequestDelegate next, SharedAccessAuthorizer authorizer, SecurityAudit audit)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var access = HttpAccessMap.For(context);
        if (access is not { } required)
        {
            await next(context);
            return;
        }

        var who = AccessDecision.Anonymous;
        if (authorizer.Enabled)
        {
            var header = context.Request.Headers.Authorization;
            var decision = await authorizer.AuthorizeAsync(header.Count == 1 ? header[0] : null, required.Entity, required.AnyOf, context.RequestAborted);
            if (!decision.Allowed)
            {
                audit.Record(decision.Who, Operation(context), required.Entity, AuditResult.Refused, decision.Failure);
                context.Response.Headers.WWWAuthenticate = SharedAccessSignature.Scheme;
                await ManagementProblem.Create(LoireErrorReason.Unauthorized, $"Unauthorized: {decision.Failure}.", required.Entity).ExecuteAsync(context);
                return;
            }

            who = decision.Who;
        }

        if (required.AnyOf != AccessRights.Manage || !IsChange(context))
        {
            await next(context);
            return;
        }

        try
        {
            await next(context);
        }
        finally
        {
            var status = context.Response.StatusCode;
            audit.Record(who, Operation(context), required.Entity, status < 400 ? AuditResult.Ok : AuditResult.Failed, status < 400 ? null : $"HTTP {status}");
        }
    }

    private static bool IsChange(HttpContext context) =>
        context.Request.Path.StartsWithSegments(ManagementApi.Prefix) && !HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method);

    /// <summary>A bounded name: the method and the route pattern, not the concrete path.</summary>
    private static string Operation(HttpContext context) =>
        $"HTTP {context.Request.Method} {(context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(no route)"}";
}
