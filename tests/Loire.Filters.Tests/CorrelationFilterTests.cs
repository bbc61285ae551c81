namespace Loire.Filters.Tests;

public class CorrelationFilterTests
{
    private static CorrelationFilter Filter(
        string? correlationId = null,
        string? messageId = null,
        string? to = null,
        string? replyTo = null,
        string? subject = null,
        string? sessionId = null,
        string? replyToSessionId = null,
        string? contentType = null,
        IReadOnlyDictionary<string, object>? properties = null) =>
        new(correlationId, messageId, to, replyTo, subject, sessionId, replyToSessionId, contentType, properties);

    [Fact]
    public void CorrelationIdMustMatchExactly()
    {
        var filter = Filter(correlationId: "abc");
        Assert.True(filter.Matches(new TestMessage().Sys("CorrelationId", "abc")));
        Assert.False(filter.Matches(new TestMessage().Sys("CorrelationId", "ABC")));
        Assert.False(filter.Matches(new TestMessage()));
    }

    [Theory]
    [InlineData("CorrelationId")]
    [InlineData("MessageId")]
    [InlineData("To")]
    [InlineData("ReplyTo")]
    [InlineData("Subject")]
    [InlineData("SessionId")]
    [InlineData("ReplyToSessionId")]
    [InlineData("ContentType")]
    public void EachFieldReadsTheSystemPropertyOfTheSameName(string name)
    {
        var filter = name switch
        {
            "CorrelationId" => Filter(correlationId: "v"),
            "MessageId" => Filter(messageId: "v"),
            "To" => Filter(to: "v"),
            "ReplyTo" => Filter(replyTo: "v"),
            "Subject" => Filter(subject: "v"),
            "SessionId" => Filter(sessionId: "v"),
            "ReplyToSessionId" => Filter(replyToSessionId: "v"),
            _ => Filter(contentType: "v"),
        };
        Assert.True(filter.Matches(new TestMessage().Sys(name, "v")));
        Assert.False(filter.Matches(new TestMessage().Sys(name, "w")));
    }

    [Fact]
    public void EveryNonNullFieldMustMatch()
    {
        var filter = Filter(correlationId: "c", contentType: "application/json");
        Assert.True(filter.Matches(new TestMessage().Sys("CorrelationId", "c").Sys("ContentType", "application/json")));
        Assert.False(filter.Matches(new TestMessage().Sys("CorrelationId", "c").Sys("ContentType", "text/plain")));
        Assert.False(filter.Matches(new TestMessage().Sys("CorrelationId", "c")));
    }

    [Fact]
    public void NullSystemPropertyDoesNotMatchARequiredValue() =>
        Assert.False(Filter(sessionId: "s").Matches(new TestMessage().Sys("SessionId", null)));

    [Fact]
    public void FilterWithNoCriteriaMatchesEverything() => Assert.True(Filter().Matches(new TestMessage()));

    [Fact]
    public void SubjectWithoutWildcardWordsMatchesExactly()
    {
        var filter = Filter(subject: "order.created");
        Assert.True(filter.Matches(new TestMessage().Sys("Subject", "order.created")));
        Assert.False(filter.Matches(new TestMessage().Sys("Subject", "order.created.eu")));
    }

    [Fact]
    public void SubjectWithWildcardWordsIsARoutingPattern()
    {
        var filter = Filter(subject: "order.#");
        Assert.True(filter.Matches(new TestMessage().Sys("Subject", "order")));
        Assert.True(filter.Matches(new TestMessage().Sys("Subject", "order.created.eu")));
        Assert.False(filter.Matches(new TestMessage().Sys("Subject", "invoice.created")));
        Assert.False(filter.Matches(new TestMessage()));
    }

    [Fact]
    public void StarInsideAWordIsLiteral()
    {
        var filter = Filter(subject: "order.*x");
        Assert.True(filter.Matches(new TestMessage().Sys("Subject", "order.*x")));
        Assert.False(filter.Matches(new TestMessage().Sys("Subject", "order.ax")));
    }

    [Fact]
    public void ApplicationPropertiesMustAllExistAndBeEqual()
    {
        var filter = Filter(properties: new Dictionary<string, object> { ["region"] = "eu", ["tier"] = 2 });
        Assert.True(filter.Matches(TestMessage.With(("region", "eu"), ("tier", 2), ("extra", true))));
        Assert.False(filter.Matches(TestMessage.With(("region", "eu"))));
        Assert.False(filter.Matches(TestMessage.With(("region", "EU"), ("tier", 2))));
        Assert.False(filter.Matches(TestMessage.With(("region", "eu"), ("tier", 3))));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(2L)]
    [InlineData(2.0)]
    [InlineData((short)2)]
    public void ApplicationNumbersCompareByValueAcrossTypes(object actual)
    {
        var filter = Filter(properties: new Dictionary<string, object> { ["n"] = 2L });
        Assert.True(filter.Matches(TestMessage.With(("n", actual))));
    }

    [Fact]
    public void ApplicationPropertyOfAnotherTypeDoesNotMatch()
    {
        var filter = Filter(properties: new Dictionary<string, object> { ["n"] = 2 });
        Assert.False(filter.Matches(TestMessage.With(("n", "2"))));
    }

    [Fact]
    public void ApplicationBooleansAndGuidsCompare()
    {
        var id = Guid.NewGuid();
        var filter = Filter(properties: new Dictionary<string, object> { ["flag"] = true, ["id"] = id });
        Assert.True(filter.Matches(TestMessage.With(("flag", true), ("id", id))));
        Assert.False(filter.Matches(TestMessage.With(("flag", false), ("id", id))));
    }

    [Fact]
    public void ApplicationPropertyNamesAreCaseSensitive()
    {
        var filter = Filter(properties: new Dictionary<string, object> { ["Region"] = "eu" });
        Assert.False(filter.Matches(TestMessage.With(("region", "eu"))));
    }

    [Fact]
    public void FilterKeepsItsOwnCopyOfTheProperties()
    {
        var properties = new Dictionary<string, object> { ["a"] = 1 };
        var filter = Filter(subject: "s", properties: properties);
        properties["a"] = 2;
        Assert.Equal(1, filter.ApplicationProperties["a"]);
        Assert.Equal("s", filter.Subject);
        Assert.True(filter.Matches(new TestMessage().Sys("Subject", "s").App("a", 1)));
    }
}
