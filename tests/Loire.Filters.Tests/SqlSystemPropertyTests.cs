namespace Loire.Filters.Tests;

public class SqlSystemPropertyTests
{
    [Fact]
    public void SysSubjectReadsTheSubjectSystemProperty()
    {
        Assert.True(Sql.Matches("sys.Subject = 'x'", new TestMessage().Sys("Subject", "x")));
        Assert.False(Sql.Matches("sys.Subject = 'x'", new TestMessage().Sys("Subject", "y")));
    }

    [Theory]
    [InlineData("CorrelationId")]
    [InlineData("MessageId")]
    [InlineData("ContentType")]
    [InlineData("To")]
    [InlineData("ReplyTo")]
    [InlineData("SessionId")]
    public void SystemPropertiesAreReadWithoutThePrefix(string name) =>
        Assert.True(Sql.Matches($"sys.{name} = 'v'", new TestMessage().Sys(name, "v")));

    [Fact]
    public void SysPrefixAndSystemNamesAreCaseInsensitive()
    {
        var message = new TestMessage().Sys("CorrelationId", "c-1");
        Assert.True(Sql.Matches("SYS.correlationid = 'c-1'", message));
        Assert.True(Sql.Matches("Sys.CorrelationId = 'c-1'", message));
    }

    [Fact]
    public void TheFilterPassesTheNameAsWrittenWithoutThePrefix()
    {
        var recorder = new RecordingMessage();
        SqlFilter.Parse("sys.subject = 'x' OR user.Region = 'eu' OR Plain = 1 OR [with space] = 1 OR sys.[Odd Name] = 1").Matches(recorder);
        Assert.Equal(["subject", "Odd Name"], recorder.SystemLookups);
        Assert.Equal(["Region", "Plain", "with space"], recorder.ApplicationLookups);
    }

    [Fact]
    public void BareNamesAreApplicationPropertiesNotSystemOnes()
    {
        var message = new TestMessage().Sys("Subject", "x");
        Assert.False(Sql.Matches("Subject = 'x'", message));
        Assert.True(Sql.Matches("Subject = 'x'", message.App("Subject", "x")));
    }

    [Fact]
    public void UserPrefixReadsApplicationProperties()
    {
        Assert.True(Sql.Matches("user.region = 'eu'", ("region", "eu")));
        Assert.True(Sql.Matches("USER.region = 'eu'", ("region", "eu")));
    }

    [Fact]
    public void DottedNamesWithoutAScopeAreApplicationPropertiesVerbatim() =>
        Assert.True(Sql.Matches("order.total > 10", ("order.total", 11)));

    [Fact]
    public void BracketedNamesMayContainSpacesAndEscapedBrackets()
    {
        Assert.True(Sql.Matches("[my prop] = 1", ("my prop", 1)));
        Assert.True(Sql.Matches("[a]]b] = 1", ("a]b", 1)));
        Assert.True(Sql.Matches("[sys.Subject] = 1", ("sys.Subject", 1)));
        Assert.True(Sql.Matches("[AND] = 1", ("AND", 1)));
    }

    [Fact]
    public void SystemTimestampsCompareWithEachOther()
    {
        var now = DateTimeOffset.UtcNow;
        var message = new TestMessage().Sys("EnqueuedTime", now).Sys("ScheduledEnqueueTime", now.AddMinutes(1));
        Assert.True(Sql.Matches("sys.EnqueuedTime < sys.ScheduledEnqueueTime", message));
    }

    private sealed class RecordingMessage : IFilterMessage
    {
        public List<string> SystemLookups { get; } = [];

        public List<string> ApplicationLookups { get; } = [];

        public bool TryGetSystemProperty(string name, out object? value)
        {
            SystemLookups.Add(name);
            value = null;
            return false;
        }

        public bool TryGetApplicationProperty(string name, out object? value)
        {
            ApplicationLookups.Add(name);
            value = null;
            return false;
        }
    }
}
