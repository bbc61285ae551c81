namespace Loire.Filters.Values;

/// <summary>What a <see cref="SqlValue"/> holds.</summary>
internal enum SqlValueKind : byte
{
    /// <summary>SQL NULL / unknown: a missing property, a null value or the result of an undecidable operation.</summary>
    Unknown = 0,
    Boolean,
    Integer,
    Double,
    Decimal,
    String,
    DateTimeOffset,
    DateTime,
    Guid,
    TimeSpan,

    /// <summary>A present, non-null value of a type the language cannot compare.</summary>
    Unsupported,
}
