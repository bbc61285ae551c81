namespace Loire.Entities;

/// <summary>Which kind of rule filter a <see cref="FilterDescription"/> holds.</summary>
[GenerateSerializer, Alias("loire.FilterKind")]
public enum FilterKind
{
    /// <summary>Matches every message.</summary>
    True = 0,
    /// <summary>Matches no message.</summary>
    False = 1,
    /// <summary>A SQL-like expression over system and application properties.</summary>
    Sql = 2,
    /// <summary>Exact match (or routing-key pattern on Subject) on chosen properties.</summary>
    Correlation = 3,
}

/// <summary>The filter of a subscription rule, as it travels and is stored.</summary>
[GenerateSerializer, Immutable, Alias("loire.FilterDescription")]
public sealed record FilterDescription(
    [property: Id(0)] FilterKind Kind,
    [property: Id(1)] string? SqlExpression = null,
    [property: Id(2)] CorrelationFilterDescription? Correlation = null)
{
    /// <summary>The filter of the default rule.</summary>
    public static FilterDescription MatchAll { get; } = new(FilterKind.True);
}

/// <summary>Correlation filter: every non-null field must equal the message's.</summary>
[GenerateSerializer, Immutable, Alias("loire.CorrelationFilterDescription")]
public sealed record CorrelationFilterDescription
{
    [Id(0)] public string? CorrelationId { get; init; }
    [Id(1)] public string? MessageId { get; init; }
    [Id(2)] public string? To { get; init; }
    [Id(3)] public string? ReplyTo { get; init; }
    [Id(4)] public string? Subject { get; init; }
    [Id(5)] public string? SessionId { get; init; }
    [Id(6)] public string? ReplyToSessionId { get; init; }
    [Id(7)] public string? ContentType { get; init; }
    [Id(8)] public Dictionary<string, object>? ApplicationProperties { get; init; }
}

/// <summary>A named rule of a subscription.</summary>
[GenerateSerializer, Immutable, Alias("loire.RuleDescription")]
public sealed record RuleDescription(
    [property: Id(0)] string Name,
    [property: Id(1)] FilterDescription Filter)
{
    /// <summary>Name of the rule every new subscription gets unless another is given.</summary>
    public const string DefaultRuleName = "$Default";

    /// <summary>The match-all default rule.</summary>
    public static RuleDescription Default { get; } = new(DefaultRuleName, FilterDescription.MatchAll);
}
