using Loire.Client;
using Xunit.Abstractions;

namespace Loire.Tests.Fuzzing;

/// <summary>Counts what a fuzz target tried, and checks that every refusal carries an expected reason and a message.</summary>
internal sealed class FuzzOutcome
{
    private long _stored;
    private long _refused;
    private readonly Dictionary<LoireErrorReason, int> _reasons = [];

    public void Stored() => Interlocked.Increment(ref _stored);

    public void Refused(LoireException refusal, IReadOnlyCollection<LoireErrorReason> expected)
    {
        Assert.True(expected.Contains(refusal.Reason), $"refused with {refusal.Reason}, expected one of {string.Join(", ", expected)}: {refusal.Message}");
        Assert.False(string.IsNullOrWhiteSpace(refusal.Message));
        Interlocked.Increment(ref _refused);
        lock (_reasons)
        {
            _reasons[refusal.Reason] = _reasons.GetValueOrDefault(refusal.Reason) + 1;
        }
    }

    public void Report(ITestOutputHelper output, string what)
    {
        output.WriteLine($"{what}: {_stored + _refused} inputs tried, {_stored} accepted, {_refused} refused " +
            $"({string.Join(", ", _reasons.Select(r => $"{r.Key} {r.Value}"))}); 0 crashes, 0 hangs");
        Assert.True(_stored > 0 && _refused > 0, "the generator should produce both acceptable and refusable inputs");
    }
}
