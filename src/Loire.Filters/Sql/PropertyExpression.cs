using Loire.Filters.Values;

namespace Loire.Filters.Sql;

/// <summary>A reference to a system or application property.</summary>
internal sealed class PropertyExpression(PropertyScope scope, string name) : SqlExpression
{
    public PropertyScope Scope { get; } = scope;

    /// <summary>The name as handed to <see cref="IFilterMessage"/>: no <c>sys.</c>/<c>user.</c> prefix, no brackets.</summary>
    public string Name { get; } = name;

    public override SqlType Type => SqlType.Any;

    public override SqlValue Evaluate(IFilterMessage message) =>
        TryGetRaw(message, out var raw) ? SqlValue.FromObject(raw) : SqlValue.Unknown;

    /// <summary>Looks the property up without interpreting it, for <c>EXISTS</c>.</summary>
    public bool TryGetRaw(IFilterMessage message, out object? value) =>
        Scope == PropertyScope.System
            ? message.TryGetSystemProperty(Name, out value)
            : message.TryGetApplicationProperty(Name, out value);
}
