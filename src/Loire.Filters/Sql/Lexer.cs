using System.Globalization;
using System.Text;

namespace Loire.Filters.Sql;

/// <summary>Splits an expression into tokens, resolving property scopes and unescaping literals on the way.</summary>
internal sealed class Lexer
{
    private const string SystemPrefix = "sys.";
    private const string UserPrefix = "user.";

    private static readonly Dictionary<string, TokenKind> Keywords = new(StringComparer.OrdinalIgnoreCase)
    {
        ["AND"] = TokenKind.And,
        ["OR"] = TokenKind.Or,
        ["NOT"] = TokenKind.Not,
        ["IN"] = TokenKind.In,
        ["LIKE"] = TokenKind.Like,
        ["ESCAPE"] = TokenKind.Escape,
        ["IS"] = TokenKind.Is,
        ["NULL"] = TokenKind.Null,
        ["TRUE"] = TokenKind.True,
        ["FALSE"] = TokenKind.False,
        ["EXISTS"] = TokenKind.Exists,
    };

    private readonly string _text;
    private int _index;

    private Lexer(string text) => _text = text;

    /// <summary>Tokenizes the whole expression; the last token is always <see cref="TokenKind.End"/>.</summary>
    public static List<Token> Tokenize(string text)
    {
        var lexer = new Lexer(text);
        var tokens = new List<Token>();
        Token token;
        do
        {
            token = lexer.Next();
            tokens.Add(token);
        }
        while (token.Kind != TokenKind.End);

        return tokens;
    }

    private char Current => Peek(0);

    private Token Next()
    {
        while (_index < _text.Length && char.IsWhiteSpace(_text[_index]))
        {
            _index++;
        }

        if (_index >= _text.Length)
        {
            return new Token(TokenKind.End, _text.Length, string.Empty);
        }

        var c = Current;
        if (char.IsLetter(c) || c == '_')
        {
            return ReadWord();
        }

        if (char.IsAsciiDigit(c) || (c == '.' && char.IsAsciiDigit(Peek(1))))
        {
            return ReadNumber();
        }

        return c switch
        {
            '\'' => ReadString(),
            '[' => ReadBracketedIdentifier(_index, PropertyScope.Application),
            '(' => Symbol(TokenKind.LeftParen, 1),
            ')' => Symbol(TokenKind.RightParen, 1),
            ',' => Symbol(TokenKind.Comma, 1),
            '+' => Symbol(TokenKind.Plus, 1),
            '-' => Symbol(TokenKind.Minus, 1),
            '*' => Symbol(TokenKind.Star, 1),
            '/' => Symbol(TokenKind.Slash, 1),
            '%' => Symbol(TokenKind.Percent, 1),
            '=' when Peek(1) == '=' => throw new FilterSyntaxException(
                $"Unexpected '==' at column {_index + 1}; use '=' to compare for equality.", _index + 1),
            '=' => Symbol(TokenKind.Equal, 1),
            '!' when Peek(1) == '=' => Symbol(TokenKind.NotEqual, 2),
            '<' when Peek(1) == '=' => Symbol(TokenKind.LessOrEqual, 2),
            '<' when Peek(1) == '>' => Symbol(TokenKind.NotEqual, 2),
            '<' => Symbol(TokenKind.Less, 1),
            '>' when Peek(1) == '=' => Symbol(TokenKind.GreaterOrEqual, 2),
            '>' => Symbol(TokenKind.Greater, 1),
            '"' => throw new FilterSyntaxException(
                $"Unexpected '\"' at column {_index + 1}; strings use single quotes and property names with spaces use [brackets].", _index + 1),
            _ => throw new FilterSyntaxException($"Unexpected character '{c}' at column {_index + 1}.", _index + 1),
        };
    }

    private char Peek(int offset) => _index + offset < _text.Length ? _text[_index + offset] : '\0';

    private Token Symbol(TokenKind kind, int length)
    {
        var token = new Token(kind, _index, _text.Substring(_index, length));
        _index += length;
        return token;
    }

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_' || c == '.';

    private Token ReadWord()
    {
        var start = _index;
        while (_index < _text.Length && IsWordChar(_text[_index]))
        {
            _index++;
        }

        var text = _text[start.._index];
        if (!text.Contains('.') && Keywords.TryGetValue(text, out var keyword))
        {
            return new Token(keyword, start, text);
        }

        var scope = PropertyScope.Application;
        var name = text;
        if (text.StartsWith(SystemPrefix, StringComparison.OrdinalIgnoreCase))
        {
            scope = PropertyScope.System;
            name = text[SystemPrefix.Length..];
        }
        else if (text.StartsWith(UserPrefix, StringComparison.OrdinalIgnoreCase))
        {
            name = text[UserPrefix.Length..];
        }

        if (name.Length == 0)
        {
            if (Current == '[')
            {
                return ReadBracketedIdentifier(start, scope);
            }

            throw new FilterSyntaxException(
                $"Expected a property name after '{text}' at column {_index + 1} but found {DescribeCharAt(_index)}.", _index + 1);
        }

        if (name.StartsWith('.') || name.EndsWith('.') || name.Contains("..", StringComparison.Ordinal))
        {
            throw new FilterSyntaxException(
                $"Invalid property name '{text}' at column {start + 1}; dots must separate non-empty parts.", start + 1);
        }

        return new Token(TokenKind.Identifier, start, text, name, scope);
    }

    /// <summary>Reads <c>[any name]</c>, where <c>]]</c> stands for a literal <c>]</c>; the name is taken verbatim, without scope resolution.</summary>
    private Token ReadBracketedIdentifier(int start, PropertyScope scope)
    {
        var open = _index;
        _index++;
        var name = ReadDelimited(']', open, "quoted property name");
        if (name.Length == 0)
        {
            throw new FilterSyntaxException($"Expected a property name inside '[]' at column {open + 1}.", open + 1);
        }

        return new Token(TokenKind.Identifier, start, _text[start.._index], name, scope);
    }

    private Token ReadString()
    {
        var start = _index;
        _index++;
        var value = ReadDelimited('\'', start, "string");
        return new Token(TokenKind.String, start, _text[start.._index], value);
    }

    /// <summary>Reads up to the closing delimiter, where a doubled delimiter is an escaped one.</summary>
    private string ReadDelimited(char delimiter, int openIndex, string what)
    {
        StringBuilder? builder = null;
        var segmentStart = _index;
        while (true)
        {
            var close = _text.IndexOf(delimiter, _index);
            if (close < 0)
            {
                _index = _text.Length;
                throw new FilterSyntaxException(
                    $"Unterminated {what} starting at column {openIndex + 1}; expected a closing {delimiter} but found end of expression.",
                    openIndex + 1);
            }

            if (close + 1 < _text.Length && _text[close + 1] == delimiter)
            {
                builder ??= new StringBuilder();
                builder.Append(_text, segmentStart, close + 1 - segmentStart);
                _index = close + 2;
                segmentStart = _index;
                continue;
            }

            _index = close + 1;
            if (builder is null)
            {
                return _text[segmentStart..close];
            }

            return builder.Append(_text, segmentStart, close - segmentStart).ToString();
        }
    }

    private Token ReadNumber()
    {
        var start = _index;
        var isDecimal = false;
        SkipDigits();
        if (Current == '.')
        {
            isDecimal = true;
            _index++;
            SkipDigits();
        }

        if (Current is 'e' or 'E')
        {
            var digitsAt = Peek(1) is '+' or '-' ? 2 : 1;
            if (char.IsAsciiDigit(Peek(digitsAt)))
            {
                isDecimal = true;
                _index += digitsAt;
                SkipDigits();
            }
        }

        // Swallow what is glued to the number so the message can show the whole bad word, e.g. "12abc" or "1.2.3".
        if (IsWordChar(Current))
        {
            while (_index < _text.Length && IsWordChar(_text[_index]))
            {
                _index++;
            }

            throw new FilterSyntaxException($"Invalid number '{_text[start.._index]}' at column {start + 1}.", start + 1);
        }

        var text = _text[start.._index];
        if (isDecimal)
        {
            var value = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
            if (!double.IsFinite(value))
            {
                throw new FilterSyntaxException($"Number {text} at column {start + 1} is out of range.", start + 1);
            }

            return new Token(TokenKind.Decimal, start, text, value);
        }

        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var integer))
        {
            throw new FilterSyntaxException(
                $"Number {text} at column {start + 1} is out of range for a 64-bit integer; write it with a decimal point to use a floating-point value.",
                start + 1);
        }

        return new Token(TokenKind.Integer, start, text, integer);
    }

    private void SkipDigits()
    {
        while (char.IsAsciiDigit(Current))
        {
            _index++;
        }
    }

    private string DescribeCharAt(int index) => index < _text.Length ? $"'{_text[index]}'" : "end of expression";
}
