using Loire.Filters.Values;

namespace Loire.Filters.Sql;

/// <summary>
/// Recursive-descent parser. Precedence, loosest first: OR, AND, NOT, predicates (comparison, [NOT] IN, [NOT] LIKE,
/// IS [NOT] NULL, EXISTS), + and -, * / and %, unary sign, primaries.
/// </summary>
internal sealed class Parser
{
    private const string OperandExpectation = "a property, literal or '('";

    private readonly List<Token> _tokens;
    private int _index;
    private int _depth;

    private Parser(List<Token> tokens) => _tokens = tokens;

    private Token Current => _tokens[_index];

    /// <summary>Parses a whole filter expression into a condition tree.</summary>
    public static SqlExpression Parse(string expression)
    {
        if (expression.Length > FilterLimits.MaxExpressionLength)
        {
            throw new FilterSyntaxException(
                $"Expression is {expression.Length} characters long; the limit is {FilterLimits.MaxExpressionLength} (exceeded at column {FilterLimits.MaxExpressionLength + 1}).",
                FilterLimits.MaxExpressionLength + 1);
        }

        if (string.IsNullOrWhiteSpace(expression))
        {
            throw new FilterSyntaxException("Expected a condition at column 1 but found an empty expression.", 1);
        }

        var parser = new Parser(Lexer.Tokenize(expression));
        var start = parser.Current;
        var root = parser.ParseOr();
        if (parser.Current.Kind != TokenKind.End)
        {
            throw Expected("an operator or end of expression", parser.Current);
        }

        RequireCondition(root, start);
        return root;
    }

    private static FilterSyntaxException Expected(string expectation, Token found) =>
        new($"Expected {expectation} at column {found.Column} but found {found.Describe()}.", found.Column);

    private static string Describe(SqlType type) => type switch
    {
        SqlType.Boolean => "a condition",
        SqlType.Number => "a number",
        SqlType.String => "a string",
        SqlType.Null => "NULL",
        _ => "a property",
    };

    private static void RequireCondition(SqlExpression expression, Token start)
    {
        if (expression.Type is not (SqlType.Boolean or SqlType.Any))
        {
            throw new FilterSyntaxException(
                $"Expected a condition at column {start.Column} but found {Describe(expression.Type)}.", start.Column);
        }
    }

    private static void RequireNumber(SqlExpression expression, Token start)
    {
        if (expression.Type is not (SqlType.Number or SqlType.Any))
        {
            throw new FilterSyntaxException(
                $"Expected a number at column {start.Column} but found {Describe(expression.Type)}.", start.Column);
        }
    }

    private Token Advance() => _tokens[_index++];

    private bool Accept(TokenKind kind)
    {
        if (Current.Kind != kind)
        {
            return false;
        }

        _index++;
        return true;
    }

    private Token Expect(TokenKind kind, string expectation) =>
        Current.Kind == kind ? Advance() : throw Expected(expectation, Current);

    private void Enter(Token at)
    {
        if (++_depth > FilterLimits.MaxNestingDepth)
        {
            throw new FilterSyntaxException(
                $"Expression is nested more than {FilterLimits.MaxNestingDepth} levels deep at column {at.Column}.", at.Column);
        }
    }

    private void Leave() => _depth--;

    private SqlExpression ParseOr() => ParseChain(TokenKind.Or, ParseAnd, operands => new OrExpression(operands));

    private SqlExpression ParseAnd() => ParseChain(TokenKind.And, ParseNot, operands => new AndExpression(operands));

    private SqlExpression ParseChain(TokenKind separator, Func<SqlExpression> parseOperand, Func<SqlExpression[], SqlExpression> create)
    {
        var start = Current;
        var first = parseOperand();
        if (Current.Kind != separator)
        {
            return first;
        }

        RequireCondition(first, start);
        var operands = new List<SqlExpression> { first };
        while (Accept(separator))
        {
            start = Current;
            var next = parseOperand();
            RequireCondition(next, start);
            operands.Add(next);
        }

        return create(operands.ToArray());
    }

    private SqlExpression ParseNot()
    {
        if (Current.Kind != TokenKind.Not)
        {
            return ParsePredicate();
        }

        Enter(Advance());
        var start = Current;
        var operand = ParseNot();
        RequireCondition(operand, start);
        Leave();
        return new NotExpression(operand);
    }

    private SqlExpression ParsePredicate()
    {
        if (Current.Kind == TokenKind.Exists)
        {
            return ParseExists();
        }

        var left = ParseAdditive();
        var op = Current;
        switch (op.Kind)
        {
            case TokenKind.Equal:
                return ParseComparison(left, ComparisonOperator.Equal);
            case TokenKind.NotEqual:
                return ParseComparison(left, ComparisonOperator.NotEqual);
            case TokenKind.Less:
                return ParseComparison(left, ComparisonOperator.Less);
            case TokenKind.LessOrEqual:
                return ParseComparison(left, ComparisonOperator.LessOrEqual);
            case TokenKind.Greater:
                return ParseComparison(left, ComparisonOperator.Greater);
            case TokenKind.GreaterOrEqual:
                return ParseComparison(left, ComparisonOperator.GreaterOrEqual);
            case TokenKind.In:
                Advance();
                return ParseIn(left, op, negated: false);
            case TokenKind.Like:
                Advance();
                return ParseLike(left, op, negated: false);
            case TokenKind.Not:
                Advance();
                if (Accept(TokenKind.In))
                {
                    return ParseIn(left, op, negated: true);
                }

                if (Accept(TokenKind.Like))
                {
                    return ParseLike(left, op, negated: true);
                }

                throw Expected("IN or LIKE after NOT", Current);
            case TokenKind.Is:
                Advance();
                var negated = Accept(TokenKind.Not);
                Expect(TokenKind.Null, negated ? "NULL after IS NOT" : "NULL or NOT NULL after IS");
                return new IsNullExpression(left, negated);
            default:
                return left;
        }
    }

    private SqlExpression ParseComparison(SqlExpression left, ComparisonOperator op)
    {
        var opToken = Advance();
        var right = ParseAdditive();
        if (left.Type == SqlType.Null || right.Type == SqlType.Null)
        {
            throw new FilterSyntaxException(
                $"Comparison with NULL at column {opToken.Column} is never true; use IS NULL or IS NOT NULL.", opToken.Column);
        }

        if (left.Type != SqlType.Any && right.Type != SqlType.Any && left.Type != right.Type)
        {
            throw new FilterSyntaxException(
                $"Cannot compare {Describe(left.Type)} with {Describe(right.Type)} at column {opToken.Column}.", opToken.Column);
        }

        if (op is not (ComparisonOperator.Equal or ComparisonOperator.NotEqual)
            && (left.Type == SqlType.Boolean || right.Type == SqlType.Boolean))
        {
            throw new FilterSyntaxException(
                $"Operator '{opToken.Text}' at column {opToken.Column} cannot order conditions or booleans; only = and <> apply.", opToken.Column);
        }

        return new ComparisonExpression(op, left, right);
    }

    private SqlExpression ParseExists()
    {
        Advance();
        Expect(TokenKind.LeftParen, "'(' after EXISTS");
        var name = Expect(TokenKind.Identifier, "a property name");
        Expect(TokenKind.RightParen, "')'");
        return new ExistsExpression(new PropertyExpression(name.Scope, (string)name.Value!));
    }

    private SqlExpression ParseIn(SqlExpression operand, Token opToken, bool negated)
    {
        Expect(TokenKind.LeftParen, "'(' after IN");
        if (Current.Kind == TokenKind.RightParen)
        {
            throw Expected("at least one value in the IN list", Current);
        }

        var items = new List<SqlValue>();
        var listType = SqlType.Any;
        do
        {
            var itemToken = Current;
            if (items.Count == FilterLimits.MaxInListItems)
            {
                throw new FilterSyntaxException(
                    $"IN list has more than {FilterLimits.MaxInListItems} values (at column {itemToken.Column}).", itemToken.Column);
            }

            var (value, type) = ParseConstant();
            if (listType == SqlType.Any)
            {
                listType = type;
            }
            else if (type != listType)
            {
                throw new FilterSyntaxException(
                    $"IN list values must all have one type: expected {Describe(listType)} at column {itemToken.Column} but found {Describe(type)}.",
                    itemToken.Column);
            }

            items.Add(value);
        }
        while (Accept(TokenKind.Comma));

        Expect(TokenKind.RightParen, "',' or ')'");
        if (operand.Type != SqlType.Any && operand.Type != listType)
        {
            throw new FilterSyntaxException(
                $"Cannot compare {Describe(operand.Type)} with a list of {Describe(listType)} values at column {opToken.Column}.", opToken.Column);
        }

        return new InExpression(operand, items.ToArray(), negated);
    }

    /// <summary>An IN-list item: a string, a signed number or a boolean.</summary>
    private (SqlValue Value, SqlType Type) ParseConstant()
    {
        var token = Current;
        var sign = token.Kind is TokenKind.Minus or TokenKind.Plus ? Advance() : default(Token?);
        var literal = Current;
        switch (literal.Kind)
        {
            case TokenKind.Integer:
                Advance();
                var integer = (long)literal.Value!;
                return (SqlValue.FromInteger(sign?.Kind == TokenKind.Minus ? -integer : integer), SqlType.Number);
            case TokenKind.Decimal:
                Advance();
                var number = (double)literal.Value!;
                return (SqlValue.FromDouble(sign?.Kind == TokenKind.Minus ? -number : number), SqlType.Number);
            case TokenKind.String when sign is null:
                Advance();
                return (SqlValue.FromString((string)literal.Value!), SqlType.String);
            case TokenKind.True or TokenKind.False when sign is null:
                Advance();
                return (SqlValue.FromBoolean(literal.Kind == TokenKind.True), SqlType.Boolean);
            default:
                throw Expected(sign is null ? "a string, number or boolean literal" : "a number", literal);
        }
    }

    private SqlExpression ParseLike(SqlExpression operand, Token opToken, bool negated)
    {
        if (operand.Type is not (SqlType.String or SqlType.Any))
        {
            throw new FilterSyntaxException(
                $"LIKE at column {opToken.Column} needs a string to match but found {Describe(operand.Type)}.", opToken.Column);
        }

        var patternToken = Expect(TokenKind.String, "a string pattern after LIKE");
        char? escape = null;
        if (Accept(TokenKind.Escape))
        {
            var escapeToken = Expect(TokenKind.String, "a string after ESCAPE");
            var text = (string)escapeToken.Value!;
            if (text.Length != 1)
            {
                throw new FilterSyntaxException(
                    $"Expected a single character after ESCAPE at column {escapeToken.Column} but found {escapeToken.Describe()}.", escapeToken.Column);
            }

            escape = text[0];
        }

        if (!LikePattern.TryCompile((string)patternToken.Value!, escape, out var pattern, out var error))
        {
            throw new FilterSyntaxException(
                $"Invalid LIKE pattern at column {patternToken.Column}: {error}.", patternToken.Column);
        }

        return new LikeExpression(operand, pattern, negated);
    }

    private SqlExpression ParseAdditive()
    {
        var start = Current;
        var left = ParseMultiplicative();
        while (Current.Kind is TokenKind.Plus or TokenKind.Minus)
        {
            var op = Advance().Kind == TokenKind.Plus ? ArithmeticOperator.Add : ArithmeticOperator.Subtract;
            left = ParseArithmeticRight(op, left, start, ParseMultiplicative);
        }

        return left;
    }

    private SqlExpression ParseMultiplicative()
    {
        var start = Current;
        var left = ParseUnary();
        while (Current.Kind is TokenKind.Star or TokenKind.Slash or TokenKind.Percent)
        {
            var op = Advance().Kind switch
            {
                TokenKind.Star => ArithmeticOperator.Multiply,
                TokenKind.Slash => ArithmeticOperator.Divide,
                _ => ArithmeticOperator.Modulo,
            };
            left = ParseArithmeticRight(op, left, start, ParseUnary);
        }

        return left;
    }

    private SqlExpression ParseArithmeticRight(ArithmeticOperator op, SqlExpression left, Token leftStart, Func<SqlExpression> parseOperand)
    {
        RequireNumber(left, leftStart);
        var rightStart = Current;
        var right = parseOperand();
        RequireNumber(right, rightStart);
        return new ArithmeticExpression(op, left, right);
    }

    private SqlExpression ParseUnary()
    {
        if (Current.Kind is not (TokenKind.Minus or TokenKind.Plus))
        {
            return ParsePrimary();
        }

        var sign = Advance();
        Enter(sign);
        var start = Current;
        var operand = ParseUnary();
        RequireNumber(operand, start);
        Leave();
        if (sign.Kind == TokenKind.Plus)
        {
            return operand;
        }

        // Fold "-5" into a literal so constants do not pay for a node per evaluation.
        return operand is LiteralExpression literal
            ? new LiteralExpression(ValueArithmetic.Negate(literal.Value), SqlType.Number)
            : new NegateExpression(operand);
    }

    private SqlExpression ParsePrimary()
    {
        var token = Current;
        switch (token.Kind)
        {
            case TokenKind.Integer:
                Advance();
                return new LiteralExpression(SqlValue.FromInteger((long)token.Value!), SqlType.Number);
            case TokenKind.Decimal:
                Advance();
                return new LiteralExpression(SqlValue.FromDouble((double)token.Value!), SqlType.Number);
            case TokenKind.String:
                Advance();
                return new LiteralExpression(SqlValue.FromString((string)token.Value!), SqlType.String);
            case TokenKind.True:
            case TokenKind.False:
                Advance();
                return new LiteralExpression(SqlValue.FromBoolean(token.Kind == TokenKind.True), SqlType.Boolean);
            case TokenKind.Null:
                Advance();
                return new LiteralExpression(SqlValue.Unknown, SqlType.Null);
            case TokenKind.Identifier:
                Advance();
                return new PropertyExpression(token.Scope, (string)token.Value!);
            case TokenKind.LeftParen:
                Advance();
                Enter(token);
                var inner = ParseOr();
                Expect(TokenKind.RightParen, "')'");
                Leave();
                return inner;
            default:
                throw Expected(OperandExpectation, token);
        }
    }
}
