namespace Loire.Messages;

/// <summary>
/// What a message may carry, checked by the client before a call and again by the broker, which cannot trust that a
/// caller went through the client.
/// </summary>
public static class MessageValues
{
    /// <summary>Whether an application property value has a type the broker stores and filters on.</summary>
    public static bool IsSupportedPropertyValue(object? value) => value is string or bool or byte or sbyte or short or ushort
        or int or uint or long or ulong or float or double or decimal or char or Guid or DateTime or DateTimeOffset or TimeSpan;

    /// <summary>
    /// Whether <paramref name="text"/> is well-formed UTF-16. A lone surrogate has no UTF-8 form, so storing it would hand
    /// back U+FFFD instead of what was sent.
    /// </summary>
    public static bool IsWellFormed(string? text)
    {
        if (text is null)
        {
            return true;
        }

        var span = text.AsSpan();
        var at = span.IndexOfAnyInRange('\ud800', '\udfff');
        while (at >= 0)
        {
            if (!char.IsHighSurrogate(span[at]) || at + 1 >= span.Length || !char.IsLowSurrogate(span[at + 1]))
            {
                return false;
            }

            span = span[(at + 2)..];
            at = span.IndexOfAnyInRange('\ud800', '\udfff');
        }

        return true;
    }
}
