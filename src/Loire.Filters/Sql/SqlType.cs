namespace Loire.Filters.Sql;

/// <summary>
/// What the parser knows statically about an expression's result, used to reject nonsense such as <c>'a' + 1</c>
/// or <c>5 AND x = 1</c> at parse time instead of letting it silently never match.
/// </summary>
internal enum SqlType
{
    /// <summary>Only known at evaluation time (a property).</summary>
    Any,
    Boolean,
    Number,
    String,

    /// <summary>The NULL literal.</summary>
    Null,
}
