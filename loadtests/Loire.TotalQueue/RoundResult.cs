using System.Text.Json.Serialization;

namespace Loire.TotalQueue;

/// <summary>
/// One row of the report: a fault round (or the final drain), its window on the run's clock, and what happened in it.
/// Acknowledged and received count copies: a publish to the topic is one copy for each subscription. Recovery is how
/// long after the fault every producer had a send, and every destination a receive, that started after the fault and
/// succeeded; the longest send gap is the longest wait between two acknowledged sends of one producer in the window
/// (a call stranded on a killed silo shows there).
/// </summary>
internal sealed record RoundResult(
    [property: JsonPropertyName("round")] string Round,
    [property: JsonPropertyName("fault")] string Fault,
    [property: JsonPropertyName("start_s")] double StartSeconds,
    [property: JsonPropertyName("fault_at_s")] double? FaultAtSeconds,
    [property: JsonPropertyName("end_s")] double EndSeconds,
    [property: JsonPropertyName("acknowledged")] int Acknowledged,
    [property: JsonPropertyName("received")] int Received,
    [property: JsonPropertyName("duplicates")] int Duplicates,
    [property: JsonPropertyName("lost")] int Lost,
    [property: JsonPropertyName("failed_calls")] int FailedCalls,
    [property: JsonPropertyName("recovery_s")] double? RecoverySeconds,
    [property: JsonPropertyName("longest_send_gap_s")] double LongestSendGapSeconds,
    [property: JsonPropertyName("recovered")] bool Recovered);

/// <summary>The whole run: its settings, every row, the totals and the verdict.</summary>
internal sealed record RunSummary(
    [property: JsonPropertyName("result")] string Result,
    [property: JsonPropertyName("seed")] int Seed,
    [property: JsonPropertyName("silos")] int Silos,
    [property: JsonPropertyName("queues")] int Queues,
    [property: JsonPropertyName("subscriptions")] int Subscriptions,
    [property: JsonPropertyName("rounds")] IReadOnlyList<RoundResult> Rounds,
    [property: JsonPropertyName("acknowledged")] int Acknowledged,
    [property: JsonPropertyName("received")] int Received,
    [property: JsonPropertyName("duplicates")] int Duplicates,
    [property: JsonPropertyName("lost")] int Lost,
    [property: JsonPropertyName("unacknowledged_received")] int UnacknowledgedReceived,
    [property: JsonPropertyName("max_recovery_s")] double? MaxRecoverySeconds,
    [property: JsonPropertyName("failures")] string Failures,
    [property: JsonPropertyName("lost_sample")] IReadOnlyDictionary<string, IReadOnlyList<int>> LostSample);
