using System.Diagnostics.Metrics;

namespace Loire.Tests.Infrastructure;

/// <summary>Reads the broker's gauges in process, as the Prometheus exporter would at a scrape.</summary>
internal static class LoireGauges
{
    /// <summary>The value <paramref name="instrumentName"/> of meter "Loire" reports for <paramref name="entity"/> now; null when none.</summary>
    public static long? Read(string instrumentName, string entity)
    {
        long? value = null;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Loire" && instrument.Name == instrumentName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, measurement, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "entity" && Equals(tag.Value, entity))
                {
                    value = measurement;
                }
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return value;
    }
}
