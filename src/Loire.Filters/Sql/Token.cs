namespace Loire.Filters.Sql;

/// <summary>One lexical token.</summary>
/// <param name="Kind">The category.</param>
/// <param name="Index">0-based offset of the first character in the expression.</param>
/// <param name="Text">The source text, used to describe the token in error messages.</param>
/// <param name="Value">The unescaped string, the property name, or the boxed <see cref="long"/>/<see cref="double"/>, depending on <paramref name="Kind"/>.</param>
/// <param name="Scope">For identifiers, which property bag the name belongs to.</param>
internal readonly record struct Token(TokenKind Kind, int Index, string Text, object? Value = null, PropertyScope Scope = PropertyScope.Application)
{
    /// <summary>The 1-based column users see in messages.</summary>
    public int Column => Index + 1;

    /// <summary>How error messages name this token.</summary>
    public string Describe() => Kind switch
    {
        TokenKind.End => "end of expression",
        TokenKind.Identifier => $"property '{Shorten(Text)}'",
        TokenKind.String => $"string {Shorten(Text)}",
        TokenKind.Integer or TokenKind.Decimal => $"number {Shorten(Text)}",
        _ => $"'{Text}'",
    };

    private static string Shorten(string text) => text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 37), "...");
}
