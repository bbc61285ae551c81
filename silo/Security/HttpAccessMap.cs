using Loire.Entities;
using Loire.Security;
using Loire.Silo.Management;
using Loire.Silo.Scaling;
using Loire.Silo.WebConsole;

namespace Loire.Silo.Security;

/// <summary>
/// The rights each HTTP request needs: sends under <c>/api/v1</c> need Send on the entity, peeks Listen, everything
/// else there Manage (on the entity of the route, or the namespace); the scaler needs Listen; the dashboard Manage.
/// <c>/health/*</c> and <c>/metrics</c> stay open (probes and scrapers carry no token), and so do the web console's
/// files (they hold no data; the page asks for a token and sends it with every API call); anything else needs Manage.
/// </summary>
public static class HttpAccessMap
{
    /// <summary>Null when the request is open to anyone; else the rights (any of) and the entity addressed.</summary>
    public static (AccessRights AnyOf, string? Entity)? For(HttpContext context)
    {
        var path = context.Request.Path;
        if (path == "/" || path.StartsWithSegments("/health") || path.StartsWithSegments("/metrics")
            || path.StartsWithSegments(ConsoleEndpoints.Path.TrimEnd('/')))
        {
            return null;
        }

        var method = context.Request.Method;
        if (path.StartsWithSegments(ScalerEndpoints.DepthPath))
        {
            return (AccessRights.Listen, context.Request.Query["entity"] is [{ Length: > 0 } entity] ? entity : null);
        }

        if (!path.StartsWithSegments(ManagementApi.Prefix))
        {
            return (AccessRights.Manage, null);
        }

        var values = context.Request.RouteValues;
        // Route values keep a '/' of a path as %2F.
        var entityPath = (values["queue"] ?? values["topic"]) is string raw ? Uri.UnescapeDataString(raw) : null;
        if (entityPath is not null && values["subscription"] is string subscription)
        {
            entityPath = EntityPath.Subscription(entityPath, Uri.UnescapeDataString(subscription));
        }

        var value = path.Value ?? string.Empty;
        if (HttpMethods.IsPost(method) && (value.EndsWith("/messages", StringComparison.Ordinal) || value.EndsWith("/scheduled/cancel", StringComparison.Ordinal)))
        {
            return (AccessRights.Send, entityPath);
        }

        if (HttpMethods.IsGet(method) && value.EndsWith("/messages", StringComparison.Ordinal))
        {
            return (AccessRights.Listen, entityPath);
        }

        return (AccessRights.Manage, entityPath);
    }
}
