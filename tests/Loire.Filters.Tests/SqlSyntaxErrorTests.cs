namespace Loire.Filters.Tests;

public class SqlSyntaxErrorTests
{
    [Fact]
    public void MissingClosingParenthesisSaysWhatWasExpectedAndWhere()
    {
        var error = Sql.Error("(a = 1 AND b = 2");
        Assert.Equal("Expected ')' at column 17 but found end of expression.", error.Message);
        Assert.Equal(17, error.Position);
    }

    [Fact]
    public void ExtraClosingParenthesisIsReported()
    {
        var error = Sql.Error("a = 1)");
        Assert.Equal("Expected an operator or end of expression at column 6 but found ')'.", error.Message);
        Assert.Equal(6, error.Position);
    }

    [Theory]
    [InlineData("a = 1 AND", 10)]
    [InlineData("a = 1 OR", 9)]
    [InlineData("a =", 4)]
    [InlineData("a + ", 5)]
    [InlineData("NOT", 4)]
    [InlineData("= 1", 1)]
    public void DanglingOperatorsAskForAnOperand(string expression, int position)
    {
        var error = Sql.Error(expression);
        Assert.Equal(position, error.Position);
        Assert.Contains("Expected a property, literal or '('", error.Message);
        Assert.Contains($"column {position}", error.Message);
    }

    [Fact]
    public void UnterminatedStringPointsAtItsOpeningQuote()
    {
        var error = Sql.Error("a = 'abc");
        Assert.Equal(5, error.Position);
        Assert.Contains("Unterminated string starting at column 5", error.Message);
    }

    [Fact]
    public void DoubleEqualsIsAnErrorThatSuggestsSingleEquals()
    {
        var error = Sql.Error("a == 1");
        Assert.Equal(3, error.Position);
        Assert.Contains("use '='", error.Message);
    }

    [Fact]
    public void EmptyInListIsAnError()
    {
        var error = Sql.Error("a IN ()");
        Assert.Equal("Expected at least one value in the IN list at column 7 but found ')'.", error.Message);
        Assert.Equal(7, error.Position);
    }

    [Theory]
    [InlineData("a IN ('x'", "Expected ',' or ')' at column 10")]
    [InlineData("a IN ('x',)", "Expected a string, number or boolean literal at column 11")]
    [InlineData("a IN 'x'", "Expected '(' after IN at column 6")]
    [InlineData("a IN (b)", "Expected a string, number or boolean literal at column 7 but found property 'b'")]
    [InlineData("a IN (NULL)", "Expected a string, number or boolean literal at column 7 but found 'NULL'")]
    [InlineData("a IN (1, 'x')", "expected a number at column 10 but found a string")]
    [InlineData("a IN (-'x')", "Expected a number at column 8")]
    [InlineData("1 IN ('x')", "Cannot compare a number with a list of a string values")]
    public void MalformedInListsAreReported(string expression, string message) =>
        Assert.Contains(message, Sql.Error(expression).Message);

    [Fact]
    public void InListLongerThanTheLimitIsAnError()
    {
        var items = string.Join(",", Enumerable.Range(0, 257));
        var expression = $"a IN ({items})";
        var error = Sql.Error(expression);
        Assert.Contains("more than 256 values", error.Message);
        Assert.Equal(expression.LastIndexOf(",256", StringComparison.Ordinal) + 2, error.Position);
    }

    [Fact]
    public void ExpressionLongerThan1024CharactersIsAnError()
    {
        var expression = "a = '" + new string('x', 1020) + "'";
        Assert.Equal(1026, expression.Length);
        var error = Sql.Error(expression);
        Assert.Contains("1026 characters long; the limit is 1024", error.Message);
        Assert.Equal(1025, error.Position);
    }

    [Fact]
    public void ExpressionOfExactly1024CharactersIsAccepted()
    {
        var expression = "a = '" + new string('x', 1018) + "'";
        Assert.Equal(1024, expression.Length);
        Assert.False(Sql.Matches(expression));
    }

    [Fact]
    public void NestingDeeperThan32LevelsIsAnError()
    {
        var error = Sql.Error(new string('(', 33) + "a = 1" + new string(')', 33));
        Assert.Contains("nested more than 32 levels", error.Message);
        Assert.Equal(33, error.Position);
    }

    [Fact]
    public void NestingOf32LevelsIsAccepted() =>
        Assert.True(Sql.Matches(new string('(', 32) + "a = 1" + new string(')', 32), ("a", 1)));

    [Fact]
    public void LongNotChainsCountAsNesting() =>
        Assert.Contains("nested more than 32 levels", Sql.Error(string.Concat(Enumerable.Repeat("NOT ", 40)) + "a = 1").Message);

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\t\n")]
    public void EmptyOrWhitespaceExpressionIsAnError(string expression)
    {
        var error = Sql.Error(expression);
        Assert.Equal(1, error.Position);
        Assert.Contains("empty expression", error.Message);
    }

    [Fact]
    public void NullExpressionIsASyntaxErrorToo() => Assert.Throws<FilterSyntaxException>(() => SqlFilter.Parse(null!));

    [Theory]
    [InlineData("a = 1 b = 2", 7, "but found property 'b'")]
    [InlineData("a NOT b", 7, "Expected IN or LIKE after NOT")]
    [InlineData("a IS 1", 6, "Expected NULL or NOT NULL after IS")]
    [InlineData("a IS NOT 1", 10, "Expected NULL after IS NOT")]
    [InlineData("a LIKE b", 8, "Expected a string pattern after LIKE")]
    [InlineData("a LIKE 'x' ESCAPE 'ab'", 19, "Expected a single character after ESCAPE")]
    [InlineData("a LIKE 'x!' ESCAPE '!'", 8, "Invalid LIKE pattern at column 8")]
    [InlineData("a LIKE 'x!y' ESCAPE '!'", 8, "must be followed by '%', '_' or itself")]
    [InlineData("EXISTS(1)", 8, "Expected a property name at column 8 but found number 1")]
    [InlineData("EXISTS a", 8, "Expected '(' after EXISTS")]
    [InlineData("EXISTS(a", 9, "Expected ')' at column 9")]
    [InlineData("a = 1 = 2", 7, "Expected an operator or end of expression")]
    [InlineData("a BETWEEN 1 AND 2", 3, "but found property 'BETWEEN'")]
    public void MalformedPredicatesAreReported(string expression, int position, string message)
    {
        var error = Sql.Error(expression);
        Assert.Contains(message, error.Message);
        Assert.Equal(position, error.Position);
    }

    [Theory]
    [InlineData("a = #", 5, "Unexpected character '#'")]
    [InlineData("a = \"x\"", 5, "strings use single quotes")]
    [InlineData("a ! 1", 3, "Unexpected character '!'")]
    [InlineData("12abc = 1", 1, "Invalid number '12abc'")]
    [InlineData("a = 1.2.3", 5, "Invalid number '1.2.3'")]
    [InlineData("a = 99999999999999999999", 5, "out of range")]
    [InlineData("[unterminated = 1", 1, "Unterminated quoted property name")]
    [InlineData("[] = 1", 1, "Expected a property name inside '[]'")]
    [InlineData("sys. = 1", 5, "Expected a property name after 'sys.'")]
    [InlineData("a..b = 1", 1, "Invalid property name 'a..b'")]
    [InlineData("a. = 1", 1, "Invalid property name 'a.'")]
    public void LexicalErrorsAreReported(string expression, int position, string message)
    {
        var error = Sql.Error(expression);
        Assert.Contains(message, error.Message);
        Assert.Equal(position, error.Position);
    }

    [Theory]
    [InlineData("'abc'", 1, "Expected a condition at column 1 but found a string")]
    [InlineData("1 + 2", 1, "Expected a condition at column 1 but found a number")]
    [InlineData("5 AND a = 1", 1, "Expected a condition at column 1 but found a number")]
    [InlineData("a = 1 OR 'x'", 10, "Expected a condition at column 10 but found a string")]
    [InlineData("NOT 3", 5, "Expected a condition at column 5 but found a number")]
    [InlineData("'a' + 1 = 2", 1, "Expected a number at column 1 but found a string")]
    [InlineData("a + TRUE = 2", 5, "Expected a number at column 5 but found a condition")]
    [InlineData("-'a' = 1", 2, "Expected a number at column 2 but found a string")]
    [InlineData("1 = 'a'", 3, "Cannot compare a number with a string at column 3")]
    [InlineData("a = NULL", 3, "use IS NULL or IS NOT NULL")]
    [InlineData("NULL <> a", 6, "use IS NULL or IS NOT NULL")]
    [InlineData("a < TRUE", 3, "only = and <> apply")]
    [InlineData("5 LIKE 'x'", 3, "LIKE at column 3 needs a string")]
    public void IllTypedExpressionsAreRejectedAtParseTime(string expression, int position, string message)
    {
        var error = Sql.Error(expression);
        Assert.Contains(message, error.Message);
        Assert.Equal(position, error.Position);
    }
}
