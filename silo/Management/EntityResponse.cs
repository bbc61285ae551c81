using Loire.Entities;

namespace Loire.Silo.Management;

/// <summary>A queue, topic or subscription with its settings (and, for a subscription, its rules).</summary>
public sealed record EntityResponse(
    string Path,
    ManagedEntityKind Kind,
    EntitySettings Settings,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<RuleResponse>? Rules)
{
    public static EntityResponse From(EntityDescription entity) => new(
        entity.Path,
        KindOf(entity.Kind),
        EntitySettings.From(entity.Options),
        entity.CreatedAt,
        entity.UpdatedAt,
        entity.Kind == EntityKind.Subscription ? RuleResponse.FromAll(entity.Rules) : null);

    public static ManagedEntityKind KindOf(EntityKind kind) => kind switch
    {
        EntityKind.Queue => ManagedEntityKind.Queue,
        EntityKind.Topic => ManagedEntityKind.Topic,
        _ => ManagedEntityKind.Subscription,
    };
}
