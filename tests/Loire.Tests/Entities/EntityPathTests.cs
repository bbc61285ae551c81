using Loire.Client;
using Loire.Entities;

namespace Loire.Tests.Entities;

public sealed class EntityPathTests
{
    [Theory]
    [InlineData("orders")]
    [InlineData("billing/invoices")]
    [InlineData("a.b-c_d")]
    [InlineData("Q1")]
    [InlineData("x")]
    public void ValidQueuePathsAreAccepted(string path)
    {
        Assert.Null(EntityPath.GetQueueOrTopicError(path));
        EntityPath.ValidateQueueOrTopic(path);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData("/orders", "empty segment")]
    [InlineData("orders/", "empty segment")]
    [InlineData("a//b", "empty segment")]
    [InlineData("-orders", "start and end")]
    [InlineData("orders.", "start and end")]
    [InlineData("my orders", "' '")]
    [InlineData("orders#1", "'#'")]
    [InlineData("orders/$deadletterqueue", "reserved")]
    [InlineData("events/subscriptions/audit", "reserved")]
    [InlineData("caf\u00e9s", "'\u00e9'")]
    public void InvalidQueuePathsAreRefusedWithTheReason(string path, string expectedFragment)
    {
        var error = EntityPath.GetQueueOrTopicError(path);

        Assert.NotNull(error);
        Assert.Contains(expectedFragment, error, StringComparison.OrdinalIgnoreCase);
        var exception = Assert.Throws<LoireException>(() => EntityPath.ValidateQueueOrTopic(path));
        Assert.Equal(LoireErrorReason.InvalidArgument, exception.Reason);
        Assert.False(exception.IsTransient);
    }

    [Fact]
    public void NullQueuePathIsRefused() =>
        Assert.Equal(LoireErrorReason.InvalidArgument, Assert.Throws<LoireException>(() => EntityPath.ValidateQueueOrTopic(null)).Reason);

    [Fact]
    public void PathsUpToTheLengthLimitAreAcceptedAndLongerOnesRefused()
    {
        Assert.Null(EntityPath.GetQueueOrTopicError(new string('a', EntityPath.MaxPathLength)));
        Assert.Contains("at most 260", EntityPath.GetQueueOrTopicError(new string('a', EntityPath.MaxPathLength + 1)));
    }

    [Theory]
    [InlineData("audit")]
    [InlineData("high-priority.eu_1")]
    [InlineData("$Default")]
    public void ValidSubscriptionAndRuleNamesAreAccepted(string name) =>
        Assert.Null(EntityPath.GetNameError(name, "rule"));

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("_x")]
    [InlineData("$other")]
    [InlineData("with space")]
    public void InvalidSubscriptionNamesAreRefused(string name)
    {
        var exception = Assert.Throws<LoireException>(() => EntityPath.ValidateName(name, "subscription"));
        Assert.Equal(LoireErrorReason.InvalidArgument, exception.Reason);
        Assert.Contains("subscription", exception.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void SubscriptionNamesLongerThanFiftyCharactersAreRefused() =>
        Assert.Contains("at most 50", EntityPath.GetNameError(new string('s', 51), "subscription"));

    [Fact]
    public void SubscriptionAndDeadLetterPathsAreComposed()
    {
        Assert.Equal("events/subscriptions/audit", EntityPath.Subscription("events", "audit"));
        Assert.Equal("orders/$deadletterqueue", EntityPath.DeadLetter("orders"));
    }
}
