namespace Loire.Filters;

/// <summary>
/// The message as a filter sees it. Filters only read properties; they never see the body.
/// </summary>
/// <remarks>
/// Values may be <see cref="string"/>, <see cref="bool"/>, any primitive number, <see cref="decimal"/>,
/// <see cref="DateTimeOffset"/>, <see cref="DateTime"/>, <see cref="Guid"/>, <see cref="TimeSpan"/> or null;
/// values of any other type exist (so <c>EXISTS</c> and <c>IS NOT NULL</c> see them) but never compare equal to anything.
/// </remarks>
public interface IFilterMessage
{
    /// <summary>Looks up a broker-defined property.</summary>
    /// <param name="name">The name without the <c>sys.</c> prefix, e.g. <c>Subject</c> or <c>MessageId</c>, in the casing the
    /// expression author wrote it; implementers must match it case-insensitively.</param>
    /// <param name="value">The value, which may be null when the property exists but is unset.</param>
    /// <returns>Whether the message has such a property.</returns>
    bool TryGetSystemProperty(string name, out object? value);

    /// <summary>Looks up an application property by its exact (case-sensitive) name.</summary>
    /// <param name="name">The name exactly as written in the expression, without any <c>user.</c> prefix.</param>
    /// <param name="value">The value, which may be null.</param>
    /// <returns>Whether the message has such a property.</returns>
    bool TryGetApplicationProperty(string name, out object? value);
}
