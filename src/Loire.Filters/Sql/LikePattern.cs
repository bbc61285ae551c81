namespace Loire.Filters.Sql;

/// <summary>
/// A LIKE pattern compiled once at parse time. Common shapes ('abc', 'abc%', '%abc', '%abc%') become plain ordinal
/// string operations; everything else runs an iterative matcher that only ever backtracks to the latest '%', which bounds
/// the work by pattern length × text length (no regular expressions, no exponential blow-up).
/// </summary>
internal sealed class LikePattern
{
    private const char AnySequence = '%';
    private const char AnyCharacter = '_';

    private readonly Shape _shape;

    // For the simple shapes: the text between the leading/trailing '%'. For General: one entry per element.
    private readonly string _literal;
    private readonly Element[] _elements;

    private LikePattern(Shape shape, string literal, Element[] elements)
    {
        _shape = shape;
        _literal = literal;
        _elements = elements;
    }

    private enum Shape
    {
        Exact,
        Prefix,
        Suffix,
        Contains,
        Anything,
        General,
    }

    private enum ElementKind : byte
    {
        Literal,
        AnyCharacter,
        AnySequence,
    }

    /// <summary>Compiles a pattern.</summary>
    /// <param name="pattern">The unescaped text of the pattern literal.</param>
    /// <param name="escape">The ESCAPE character, if any.</param>
    /// <param name="result">The compiled pattern.</param>
    /// <param name="error">Why compilation failed, phrased for an error message.</param>
    public static bool TryCompile(string pattern, char? escape, out LikePattern result, out string error)
    {
        var elements = new List<Element>(pattern.Length);
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (escape == c)
            {
                if (i + 1 >= pattern.Length || pattern[i + 1] is not (AnySequence or AnyCharacter) && pattern[i + 1] != escape)
                {
                    result = null!;
                    error = $"the escape character '{c}' must be followed by '%', '_' or itself";
                    return false;
                }

                elements.Add(new Element(ElementKind.Literal, pattern[++i]));
            }
            else if (c == AnySequence)
            {
                // Consecutive '%' mean the same as one; collapsing keeps the matcher's backtracking bound tight.
                if (elements.Count == 0 || elements[^1].Kind != ElementKind.AnySequence)
                {
                    elements.Add(new Element(ElementKind.AnySequence, c));
                }
            }
            else
            {
                elements.Add(new Element(c == AnyCharacter ? ElementKind.AnyCharacter : ElementKind.Literal, c));
            }
        }

        result = Classify(elements.ToArray());
        error = string.Empty;
        return true;
    }

    /// <summary>Whether <paramref name="text"/> matches; ordinal, case-sensitive, per UTF-16 code unit.</summary>
    public bool IsMatch(string text) => _shape switch
    {
        Shape.Exact => string.Equals(text, _literal, StringComparison.Ordinal),
        Shape.Prefix => text.StartsWith(_literal, StringComparison.Ordinal),
        Shape.Suffix => text.EndsWith(_literal, StringComparison.Ordinal),
        Shape.Contains => text.Contains(_literal, StringComparison.Ordinal),
        Shape.Anything => true,
        _ => MatchGeneral(text),
    };

    private static LikePattern Classify(Element[] elements)
    {
        if (elements.Length == 1 && elements[0].Kind == ElementKind.AnySequence)
        {
            return new LikePattern(Shape.Anything, string.Empty, elements);
        }

        var leading = elements.Length > 0 && elements[0].Kind == ElementKind.AnySequence;
        var trailing = elements.Length > 1 && elements[^1].Kind == ElementKind.AnySequence;
        var innerStart = leading ? 1 : 0;
        var innerEnd = trailing ? elements.Length - 1 : elements.Length;
        var chars = new char[innerEnd - innerStart];
        for (var i = innerStart; i < innerEnd; i++)
        {
            if (elements[i].Kind != ElementKind.Literal)
            {
                return new LikePattern(Shape.General, string.Empty, elements);
            }

            chars[i - innerStart] = elements[i].Character;
        }

        var shape = (leading, trailing) switch
        {
            (false, false) => Shape.Exact,
            (false, true) => Shape.Prefix,
            (true, false) => Shape.Suffix,
            _ => Shape.Contains,
        };
        return new LikePattern(shape, new string(chars), elements);
    }

    private bool MatchGeneral(string text)
    {
        var elements = _elements;
        var p = 0;
        var t = 0;
        var resumeElement = -1;
        var resumeText = 0;
        while (t < text.Length)
        {
            if (p < elements.Length)
            {
                var element = elements[p];
                if (element.Kind == ElementKind.AnySequence)
                {
                    // Try '%' as empty first; on a later mismatch it absorbs one more character and we retry from here.
                    resumeElement = ++p;
                    resumeText = t;
                    continue;
                }

                if (element.Kind == ElementKind.AnyCharacter || element.Character == text[t])
                {
                    p++;
                    t++;
                    continue;
                }
            }

            if (resumeElement < 0)
            {
                return false;
            }

            p = resumeElement;
            t = ++resumeText;
        }

        while (p < elements.Length && elements[p].Kind == ElementKind.AnySequence)
        {
            p++;
        }

        return p == elements.Length;
    }

    private readonly record struct Element(ElementKind Kind, char Character);
}
