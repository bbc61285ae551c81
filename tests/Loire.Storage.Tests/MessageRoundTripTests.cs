using static Loire.Storage.Tests.TestStore;

namespace Loire.Storage.Tests;

public sealed class MessageRoundTripTests
{
    [Fact]
    public async Task PutMessages_LoadReturnsThemInSequenceOrder()
    {
        await using var test = TestStore.Open();
        var batch = new StoreBatch();
        foreach (var seq in new long[] { 5, 1, 3, 2, 4 })
        {
            batch.PutMessage("q1", seq, Bytes($"payload-{seq}"), Bytes($"state-{seq}"));
        }

        batch.PutMessage("q2", 1, Bytes("other"), Bytes("s"));
        await test.Store.CommitAsync(batch);

        var records = await test.Store.LoadMessagesAsync("q1");

        Assert.Equal([1L, 2, 3, 4, 5], records.Select(r => r.SequenceNumber));
        Assert.All(records, r => Assert.Equal($"payload-{r.SequenceNumber}", Text(r.Payload)));
        Assert.All(records, r => Assert.Equal($"state-{r.SequenceNumber}", Text(r.State)));
        Assert.Single(await test.Store.LoadMessagesAsync("q2"));
        Assert.Empty(await test.Store.LoadMessagesAsync("q3"));
    }

    [Fact]
    public async Task PutMessage_OfAnExistingSequenceNumber_ReplacesIt()
    {
        await using var test = TestStore.Open();
        await test.Store.CommitAsync(new StoreBatch().PutMessage("q", 1, Bytes("a"), Bytes("s1")));
        await test.Store.CommitAsync(new StoreBatch().PutMessage("q", 1, Bytes("b"), Bytes("s2")));

        var record = Assert.Single(await test.Store.LoadMessagesAsync("q"));
        Assert.Equal("b", Text(record.Payload));
        Assert.Equal("s2", Text(record.State));
    }

    [Fact]
    public async Task EmptyAndSlicedBlobs_RoundTripExactly()
    {
        await using var test = TestStore.Open();
        var buffer = Bytes("xxhelloxx");
        await test.Store.CommitAsync(new StoreBatch()
            .PutMessage("q", 1, ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty)
            .PutMessage("q", 2, buffer.AsMemory(2, 5), buffer.AsMemory(0, 0)));

        var records = await test.Store.LoadMessagesAsync("q");

        Assert.Equal(0, records[0].Payload.Length);
        Assert.Equal(0, records[0].State.Length);
        Assert.Equal("hello", Text(records[1].Payload));
        Assert.Equal(0, records[1].State.Length);
    }

    [Fact]
    public async Task UpdateMessageState_ChangesOnlyTheState_AndIgnoresMissingMessages()
    {
        await using var test = TestStore.Open();
        await test.Store.CommitAsync(new StoreBatch().PutMessage("q", 1, Bytes("body"), Bytes("available")));

        await test.Store.CommitAsync(new StoreBatch()
            .UpdateMessageState("q", 1, Bytes("locked"))
            .UpdateMessageState("q", 99, Bytes("ghost")));

        var record = Assert.Single(await test.Store.LoadMessagesAsync("q"));
        Assert.Equal("body", Text(record.Payload));
        Assert.Equal("locked", Text(record.State));
    }

    [Fact]
    public async Task DeleteMessage_RemovesIt_AndIgnoresMissingMessages()
    {
        await using var test = TestStore.Open();
        await test.Store.CommitAsync(new StoreBatch()
            .PutMessage("q", 1, Bytes("a"), Bytes("s"))
            .PutMessage("q", 2, Bytes("b"), Bytes("s")));

        await test.Store.CommitAsync(new StoreBatch().DeleteMessage("q", 1).DeleteMessage("q", 42));

        var record = Assert.Single(await test.Store.LoadMessagesAsync("q"));
        Assert.Equal(2, record.SequenceNumber);
    }

    [Fact]
    public async Task BatchesQueuedWithoutAwaiting_ApplyInCallOrder()
    {
        // Early delivery relies on this: a settlement queued after a put never lands before it.
        await using var test = TestStore.Open();
        var commits = new List<Task>();
        for (long seq = 1; seq <= 200; seq++)
        {
            commits.Add(test.Store.CommitAsync(new StoreBatch().PutMessage("q", seq, Bytes("p"), Bytes("s0"))).AsTask());
            commits.Add(test.Store.CommitAsync(new StoreBatch().UpdateMessageState("q", seq, Bytes("s1"))).AsTask());
            if (seq % 2 == 0)
            {
                commits.Add(test.Store.CommitAsync(new StoreBatch().DeleteMessage("q", seq)).AsTask());
            }
        }

        await Task.WhenAll(commits);

        var records = await test.Store.LoadMessagesAsync("q");
        Assert.Equal(Enumerable.Range(0, 100).Select(i => 2L * i + 1), records.Select(r => r.SequenceNumber));
        Assert.All(records, r => Assert.Equal("s1", Text(r.State)));
    }

    [Fact]
    public async Task OperationsOfOneBatch_ApplyInOrder()
    {
        await using var test = TestStore.Open();
        await test.Store.CommitAsync(new StoreBatch()
            .PutMessage("q", 1, Bytes("a"), Bytes("s0"))
            .UpdateMessageState("q", 1, Bytes("s1"))
            .DeleteMessage("q", 1)
            .PutMessage("q", 1, Bytes("again"), Bytes("s2")));

        var record = Assert.Single(await test.Store.LoadMessagesAsync("q"));
        Assert.Equal("again", Text(record.Payload));
        Assert.Equal("s2", Text(record.State));
    }

    [Fact]
    public async Task LoadMessages_OfManyMessages_ReturnsAllInOrder()
    {
        const int count = 100_000;
        await using var test = TestStore.Open();
        var payload = new byte[64];
        for (var start = 0; start < count; start += 10_000)
        {
            var batch = new StoreBatch();
            for (var seq = start; seq < start + 10_000; seq++)
            {
                batch.PutMessage("big", seq, payload, BitConverter.GetBytes(seq));
            }

            await test.Store.CommitAsync(batch);
        }

        var records = await test.Store.LoadMessagesAsync("big");

        Assert.Equal(count, records.Count);
        for (var i = 0; i < count; i++)
        {
            Assert.Equal(i, records[i].SequenceNumber);
        }

        Assert.Equal(count - 1, BitConverter.ToInt32(records[^1].State.Span));
    }

    [Fact]
    public async Task InvalidBatch_IsRefusedBeforeItIsQueued()
    {
        await using var test = TestStore.Open();

        Assert.Throws<ArgumentException>(() => { _ = test.Store.CommitAsync(new StoreBatch().DeleteMessage(null!, 1)); });
        Assert.Throws<ArgumentNullException>(() => { _ = test.Store.CommitAsync(null!); });
        await test.Store.CommitAsync(new StoreBatch());
        Assert.Equal(0, test.Store.GetStatistics().Commits);
    }
}
