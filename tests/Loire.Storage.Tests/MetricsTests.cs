using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using static Loire.Storage.Tests.TestStore;

namespace Loire.Storage.Tests;

public sealed class MetricsTests
{
    [Fact]
    public async Task Commits_AreRecordedOnTheLoireMeter()
    {
        await using var test = TestStore.Open();
        var measurements = new ConcurrentBag<(string Instrument, double Value, string? Store)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Loire" && instrument.Name.StartsWith("loire.store.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => measurements.Add((i.Name, v, StoreTag(tags))));
        listener.SetMeasurementEventCallback<int>((i, v, tags, _) => measurements.Add((i.Name, v, StoreTag(tags))));
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => measurements.Add((i.Name, v, StoreTag(tags))));
        listener.Start();

        // Other tests' stores publish on the same process-wide meter: only this store's path tells them apart,
        // so check for at least this commit's measurements.
        await test.Store.CommitAsync(new StoreBatch()
            .PutMessage("q", 1, Bytes("a"), Bytes("s"))
            .PutMessage("q", 2, Bytes("b"), Bytes("s"))
            .PutMessage("q", 3, Bytes("c"), Bytes("s")));

        Assert.Contains(measurements, m => m.Instrument == "loire.store.commits" && m.Value == 1 && m.Store == "sqlite");
        Assert.Contains(measurements, m => m.Instrument == "loire.store.commit.batch_size" && m.Value == 3);
        Assert.Contains(measurements, m => m.Instrument == "loire.store.commit.duration" && m.Value >= 0);
    }

    private static string? StoreTag(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == "loire.store")
            {
                return tag.Value as string;
            }
        }

        return null;
    }
}
