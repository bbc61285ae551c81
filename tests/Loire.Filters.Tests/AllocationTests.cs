namespace Loire.Filters.Tests;

public class AllocationTests
{
    [Fact]
    public void MatchingATypicalFilterDoesNotAllocate()
    {
        var filter = SqlFilter.Parse(
            "sys.Subject LIKE 'order.%' AND region IN ('eu', 'us') AND (price * 2 > 10.5 OR NOT EXISTS(vip)) AND tier IS NOT NULL AND id = b");
        var id = Guid.NewGuid();
        var message = new TestMessage().Sys("Subject", "order.created")
            .App("region", "eu").App("price", 7m).App("tier", 1).App("id", id).App("b", id);
        Assert.True(filter.Matches(message));

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1_000; i++)
        {
            filter.Matches(message);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void MatchingACorrelationFilterDoesNotAllocate()
    {
        var filter = new CorrelationFilter("c", null, null, null, "order.#", null, null, null, new Dictionary<string, object> { ["n"] = 2 });
        var message = new TestMessage().Sys("CorrelationId", "c").Sys("Subject", "order.created.eu").App("n", 2L);
        Assert.True(filter.Matches(message));

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1_000; i++)
        {
            filter.Matches(message);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
