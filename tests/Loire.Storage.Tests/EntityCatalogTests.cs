using static Loire.Storage.Tests.TestStore;

namespace Loire.Storage.Tests;

public sealed class EntityCatalogTests
{
    private const int Queue = 1;
    private const int Topic = 2;

    [Fact]
    public async Task TryCreateEntity_AddsAnEntry_ThenRefusesTheTakenPathWithoutChangingIt()
    {
        await using var test = TestStore.Open();

        Assert.True(await test.Store.TryCreateEntityAsync(new EntityRecord("orders", Queue, Bytes("first"))));
        Assert.False(await test.Store.TryCreateEntityAsync(new EntityRecord("orders", Topic, Bytes("second"))));

        var entity = await test.Store.GetEntityAsync("orders");
        Assert.NotNull(entity);
        Assert.Equal(Queue, entity.Kind);
        Assert.Equal("first", Text(entity.Description));
    }

    [Fact]
    public async Task TryCreateEntity_RacingForOnePath_ExactlyOneWins()
    {
        await using var test = TestStore.Open();

        var results = await Task.WhenAll(Enumerable.Range(0, 32).Select(i =>
            test.Store.TryCreateEntityAsync(new EntityRecord("contested", Queue, Bytes($"creator-{i}")))));

        Assert.Single(results, created => created);
    }

    [Fact]
    public async Task GetEntity_OfAMissingPath_IsNull()
    {
        await using var test = TestStore.Open();
        Assert.Null(await test.Store.GetEntityAsync("nowhere"));
    }

    [Fact]
    public async Task PutEntity_InsertsOrReplaces()
    {
        await using var test = TestStore.Open();
        await test.Store.CommitAsync(new StoreBatch().PutEntity(new EntityRecord("t", Topic, Bytes("v1"))));
        await test.Store.CommitAsync(new StoreBatch().PutEntity(new EntityRecord("t", Topic, Bytes("v2"))));

        Assert.Equal("v2", Text((await test.Store.GetEntityAsync("t"))!.Description));
    }

    [Fact]
    public async Task DeleteEntity_RemovesItsEntryAndMessages_AndNothingElse()
    {
        await using var test = TestStore.Open();
        await test.Store.TryCreateEntityAsync(new EntityRecord("a", Queue, Bytes("a")));
        await test.Store.TryCreateEntityAsync(new EntityRecord("ab", Queue, Bytes("ab")));
        await test.Store.CommitAsync(new StoreBatch()
            .PutMessage("a", 1, Bytes("1"), Bytes("s"))
            .PutMessage("a", 2, Bytes("2"), Bytes("s"))
            .PutMessage("ab", 1, Bytes("1"), Bytes("s")));

        await test.Store.CommitAsync(new StoreBatch().DeleteEntity("a"));

        Assert.Null(await test.Store.GetEntityAsync("a"));
        Assert.Empty(await test.Store.LoadMessagesAsync("a"));
        Assert.NotNull(await test.Store.GetEntityAsync("ab"));
        Assert.Single(await test.Store.LoadMessagesAsync("ab"));
    }

    [Fact]
    public async Task ListEntities_FiltersByKindAndPrefix_InPathOrder()
    {
        await using var test = TestStore.Open();
        await test.Store.CommitAsync(new StoreBatch()
            .PutEntity(new EntityRecord("sales/orders", Queue, Bytes("")))
            .PutEntity(new EntityRecord("sales/events", Topic, Bytes("")))
            .PutEntity(new EntityRecord("sales/archive", Queue, Bytes("")))
            .PutEntity(new EntityRecord("salesforce", Queue, Bytes("")))
            .PutEntity(new EntityRecord("billing", Queue, Bytes("")))
            .PutEntity(new EntityRecord("sales", Topic, Bytes(""))));

        var all = await test.Store.ListEntitiesAsync(null, null, null, 100);
        var queues = await test.Store.ListEntitiesAsync(Queue, null, null, 100);
        var underSales = await test.Store.ListEntitiesAsync(null, "sales/", null, 100);
        var salesQueues = await test.Store.ListEntitiesAsync(Queue, "sales/", null, 100);
        var startingWithSales = await test.Store.ListEntitiesAsync(null, "sales", null, 100);

        Assert.Equal(["billing", "sales", "sales/archive", "sales/events", "sales/orders", "salesforce"], all.Select(e => e.Path));
        Assert.Equal(["billing", "sales/archive", "sales/orders", "salesforce"], queues.Select(e => e.Path));
        Assert.Equal(["sales/archive", "sales/events", "sales/orders"], underSales.Select(e => e.Path));
        Assert.Equal(["sales/archive", "sales/orders"], salesQueues.Select(e => e.Path));
        Assert.Equal(["sales", "sales/archive", "sales/events", "sales/orders", "salesforce"], startingWithSales.Select(e => e.Path));
        Assert.Empty(await test.Store.ListEntitiesAsync(null, "zzz", null, 100));
        Assert.Empty(await test.Store.ListEntitiesAsync(null, null, null, 0));
    }

    [Fact]
    public async Task ListEntities_PagesWithAfterPath()
    {
        await using var test = TestStore.Open();
        var batch = new StoreBatch();
        for (var i = 0; i < 25; i++)
        {
            batch.PutEntity(new EntityRecord($"app/q{i:D2}", i % 2 == 0 ? Queue : Topic, Bytes($"{i}")));
        }

        batch.PutEntity(new EntityRecord("other/q", Queue, Bytes("")));
        await test.Store.CommitAsync(batch);

        var pages = new List<IReadOnlyList<EntityRecord>>();
        string? after = null;
        while (true)
        {
            var page = await test.Store.ListEntitiesAsync(Queue, "app/", after, 5);
            if (page.Count == 0)
            {
                break;
            }

            pages.Add(page);
            after = page[^1].Path;
        }

        Assert.Equal([5, 5, 3], pages.Select(p => p.Count));
        var expected = Enumerable.Range(0, 25).Where(i => i % 2 == 0).Select(i => $"app/q{i:D2}");
        Assert.Equal(expected, pages.SelectMany(p => p).Select(e => e.Path));
        Assert.Equal("other/q", Assert.Single(await test.Store.ListEntitiesAsync(Queue, null, "app/q24", 10)).Path);
    }
}
