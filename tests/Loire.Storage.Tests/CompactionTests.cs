using Xunit.Abstractions;

namespace Loire.Storage.Tests;

public sealed class CompactionTests(ITestOutputHelper output)
{
    private const long MiB = 1024 * 1024;

    [Fact]
    public async Task RepeatedPutThenDelete_KeepsTheFilesBounded()
    {
        const int rounds = 20;
        const int messagesPerRound = 2_000;
        await using var test = TestStore.Open(o => o.CompactionInterval = Timeout.InfiniteTimeSpan);
        var payload = new byte[1024];
        Random.Shared.NextBytes(payload);
        var largest = 0L;

        for (var round = 0; round < rounds; round++)
        {
            var first = (long)round * messagesPerRound;
            await CommitInBatchesAsync(test.Store, first, messagesPerRound, (batch, seq) => batch.PutMessage("q", seq, payload, payload.AsMemory(0, 16)));
            await CommitInBatchesAsync(test.Store, first, messagesPerRound, (batch, seq) => batch.DeleteMessage("q", seq));
            var statistics = test.Store.GetStatistics();
            largest = Math.Max(largest, statistics.DatabaseBytes + statistics.WalBytes);
        }

        await test.Store.CompactAsync();
        var final = test.Store.GetStatistics();
        output.WriteLine($"written {rounds * messagesPerRound * (long)payload.Length / MiB} MiB; largest {largest / (double)MiB:F1} MiB; final db {final.DatabaseBytes} B, wal {final.WalBytes} B, free pages {final.FreelistPages}");

        Assert.Empty(await test.Store.LoadMessagesAsync("q"));
        Assert.True(final.DatabaseBytes + final.WalBytes < 8 * MiB, $"final size {final.DatabaseBytes + final.WalBytes}");
        Assert.Equal(0, final.FreelistPages);
        Assert.Equal(0, final.WalBytes);
        // Between compactions the WAL is capped by SQLite's automatic checkpoint and the journal size limit.
        Assert.True(largest < 24 * MiB, $"largest size {largest}");
    }

    [Fact]
    public async Task SustainedWrites_KeepTheWalBoundedWithoutCompaction()
    {
        const long threshold = 1 * MiB;
        const int committers = 16;
        const int commitsEach = 96;
        const int messagesPerCommit = 8;
        // Periodic compaction never runs: the background checkpointer and the writer's rewind keep the WAL down.
        await using var test = TestStore.Open(o =>
        {
            o.CompactionInterval = Timeout.InfiniteTimeSpan;
            o.WalCheckpointThresholdBytes = threshold;
        });
        var payload = new byte[4096];
        Random.Shared.NextBytes(payload);
        var largestWal = 0L;
        using var done = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                largestWal = Math.Max(largestWal, test.Store.GetStatistics().WalBytes);
                await Task.Delay(5);
            }
        });

        await Task.WhenAll(Enumerable.Range(0, committers).Select(c => Task.Run(async () =>
        {
            for (var commit = 0; commit < commitsEach; commit++)
            {
                var batch = new StoreBatch();
                for (var m = 0; m < messagesPerCommit; m++)
                {
                    batch.PutMessage($"q{c}", commit * messagesPerCommit + m, payload, payload.AsMemory(0, 16));
                }

                await test.Store.CommitAsync(batch);
            }
        })));
        await done.CancelAsync();
        await sampler;
        largestWal = Math.Max(largestWal, test.Store.GetStatistics().WalBytes);

        var written = (long)committers * commitsEach * messagesPerCommit * payload.Length;
        output.WriteLine($"written {written / MiB} MiB; largest WAL {largestWal / (double)MiB:F1} MiB");
        Assert.True(largestWal < 16 * MiB, $"largest WAL {largestWal} after writing {written}");
        Assert.Equal(commitsEach * messagesPerCommit, (await test.Store.LoadMessagesAsync("q0")).Count);
    }

    [Fact]
    public async Task PeriodicCompaction_TruncatesTheWalOnItsOwn()
    {
        await using var test = TestStore.Open(o => o.CompactionInterval = TimeSpan.FromMilliseconds(100));
        var payload = new byte[1024];
        await CommitInBatchesAsync(test.Store, 0, 1_000, (batch, seq) => batch.PutMessage("q", seq, payload, payload));

        // Only a TRUNCATE checkpoint empties the WAL file (SQLite's own checkpoints keep its size for reuse), and
        // nothing but the writer's timer asks for one here.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (test.Store.GetStatistics().WalBytes > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Equal(0, test.Store.GetStatistics().WalBytes);
        Assert.Equal(1_000, (await test.Store.LoadMessagesAsync("q")).Count);
    }

    [Fact]
    public async Task PeriodicCompaction_WaitsForAQuietMomentButNotForever()
    {
        // Due every 100 ms and forced once ten intervals late: three seconds of steady writes (one every ~10 ms) get
        // about three passes; a pass whenever due and the queue happened to be empty would be about thirty.
        await using var test = TestStore.Open(o => o.CompactionInterval = TimeSpan.FromMilliseconds(100));
        var payload = new byte[256];
        var sequence = 0L;
        var writing = System.Diagnostics.Stopwatch.StartNew();
        while (writing.Elapsed < TimeSpan.FromSeconds(3))
        {
            await test.Store.CommitAsync(new StoreBatch().PutMessage("q", sequence++, payload, payload));
            await Task.Delay(10);
        }

        var underLoad = test.Store.GetStatistics().Compactions;
        output.WriteLine($"{sequence} commits in {writing.Elapsed.TotalSeconds:F1} s, {underLoad} compactions");
        Assert.InRange(underLoad, 1, 6);

        // Once the writes stop, the next due pass runs in the quiet and empties the WAL.
        var quiet = System.Diagnostics.Stopwatch.StartNew();
        while (test.Store.GetStatistics().Compactions == underLoad && quiet.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(20);
        }

        Assert.Equal(underLoad + 1, test.Store.GetStatistics().Compactions);
        Assert.Equal(0, test.Store.GetStatistics().WalBytes);
        Assert.Equal(sequence, (await test.Store.LoadMessagesAsync("q")).Count);
    }

    [Fact]
    public async Task Compact_AfterDeletingEverything_ReleasesAllFreePages()
    {
        await using var test = TestStore.Open(o => o.CompactionInterval = Timeout.InfiniteTimeSpan);
        var payload = new byte[4096];
        await CommitInBatchesAsync(test.Store, 0, 2_000, (batch, seq) => batch.PutMessage("q", seq, payload, payload.AsMemory(0, 8)));
        await test.Store.CompactAsync();
        var full = test.Store.GetStatistics();

        await test.Store.CommitAsync(new StoreBatch().DeleteEntity("q"));
        // 8 MB of rows freed: hundreds of pages whatever the page size.
        Assert.True(test.Store.GetStatistics().FreelistPages > 200);
        await test.Store.CompactAsync();
        var emptied = test.Store.GetStatistics();

        Assert.Equal(0, emptied.FreelistPages);
        Assert.True(emptied.DatabaseBytes < full.DatabaseBytes / 10, $"{emptied.DatabaseBytes} vs {full.DatabaseBytes}");
    }

    private static async Task CommitInBatchesAsync(SqliteMessageStore store, long first, int count, Action<StoreBatch, long> add)
    {
        const int batchSize = 100;
        var commits = new List<Task>();
        for (var start = first; start < first + count; start += batchSize)
        {
            var batch = new StoreBatch();
            for (var seq = start; seq < Math.Min(start + batchSize, first + count); seq++)
            {
                add(batch, seq);
            }

            commits.Add(store.CommitAsync(batch).AsTask());
        }

        await Task.WhenAll(commits);
    }
}
