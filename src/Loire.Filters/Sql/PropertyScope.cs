namespace Loire.Filters.Sql;

/// <summary>Which property bag an identifier refers to.</summary>
internal enum PropertyScope
{
    /// <summary>Application properties: bare names and <c>user.</c>-prefixed names.</summary>
    Application,

    /// <summary>Broker-defined properties: <c>sys.</c>-prefixed names.</summary>
    System,
}
