using System.Collections.Concurrent;
using System.Reflection;
using Loire.Client;
using Loire.Security;
using Orleans.Runtime;

namespace Loire.Grains.Security;

/// <summary>
/// Authorises every call a client makes, in the target grain's silo, and audits management operations and refusals.
/// </summary>
/// <remarks>
/// A call is a client's when its source is a client id that is not a silo's hosted client (Orleans 10 gives calls
/// made inside a silo outside any grain, such as the HTTP API's, the source <c>hosted-{silo}</c>; calls from grains
/// have the grain as source; an external client's id is a random one). Orleans system targets are left to Orleans.
/// The rights come from the rule that verifies the token carried in the request context, never from anything else
/// the caller sends; a method without a <see cref="RequiresRightsAttribute"/> is refused to clients.
/// </remarks>
internal sealed class SharedAccessFilter(SharedAccessAuthorizer authorizer, SecurityAudit audit) : IIncomingGrainCallFilter
{
    /// <summary>How Orleans names a silo's hosted client; <see cref="GatewaySenderGuard"/> keeps gateway clients from using it.</summary>
    internal const string HostedClientPrefix = "hosted-";

    private static readonly ConcurrentDictionary<MethodInfo, (RequiresRightsAttribute? Required, string Operation)> Methods = new();

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (!IsExternalClient(context.SourceId) || context.TargetId.IsSystemTarget())
        {
            await context.Invoke();
            return;
        }

        var (required, operation) = Methods.GetOrAdd(context.InterfaceMethod, static method => (method.GetCustomAttribute<RequiresRightsAttribute>(), OperationName(method)));
        var who = AccessDecision.Anonymous;
        if (authorizer.Enabled)
        {
            var entity = required is null ? null : EntityOf(context, required);
            var decision = required is null
                ? AccessDecision.Refuse(AccessDecision.Anonymous, "the method is not open to clients")
                : await authorizer.AuthorizeAsync(
                    RequestContext.Get(SharedAccessSignature.RequestContextKey) as string, entity, required.AnyOf, OwnRules(context), CancellationToken.None);
            if (!decision.Allowed)
            {
                audit.Record(decision.Who, operation, entity, AuditResult.Refused, decision.Failure);
                throw new LoireException(LoireErrorReason.Unauthorized, $"Unauthorized: {decision.Failure}.", entity);
            }

            who = decision.Who;
        }

        if (required is not { IsManagement: true })
        {
            await context.Invoke();
            return;
        }

        var target = EntityOf(context, required);
        try
        {
            await context.Invoke();
            audit.Record(who, operation, target, AuditResult.Ok);
        }
        catch (Exception exception)
        {
            audit.Record(who, operation, target, AuditResult.Failed, exception is LoireException loire ? loire.Reason.ToString() : exception.GetType().Name);
            throw;
        }
    }

    private static bool IsExternalClient(GrainId? source) =>
        source is not { } id
        || (id.IsClient() && !id.Key.ToString().StartsWith(HostedClientPrefix, StringComparison.Ordinal));

    /// <summary>The entity path the call addresses (without partition or sub-queue), or null for a namespace-wide call.</summary>
    private static string? EntityOf(IIncomingGrainCallContext context, RequiresRightsAttribute required)
    {
        if (required.EntityArgument >= 0)
        {
            return context.Request.GetArgument(required.EntityArgument) is string path && path.Length > 0 ? AccessTarget.EntityOf(path) : null;
        }

        return context.Grain is IAccessRuleOwner && context.TargetId.Key.ToString() is { Length: > 0 } key ? AccessTarget.EntityOf(key) : null;
    }

    /// <summary>The rules the target grain holds itself, up to date to the call.</summary>
    private static (string, System.Collections.Immutable.ImmutableArray<SharedAccessAuthorizationRule>)? OwnRules(IIncomingGrainCallContext context) =>
        context.Grain is IAccessRuleOwner { OwnAccessRules: { } rules } ? (context.TargetId.Key.ToString(), rules) : null;

    private static string OperationName(MethodInfo method)
    {
        var name = method.Name.EndsWith("Async", StringComparison.Ordinal) ? method.Name[..^5] : method.Name;
        var type = method.DeclaringType?.Name ?? "?";
        return (type.StartsWith('I') ? type[1..] : type).Replace("Grain", string.Empty, StringComparison.Ordinal) + "." + name;
    }
}
