using Loire.Grains.Queues;

namespace Loire.Tests.Queues;

public sealed class LockTokenSourceTests
{
    [Fact]
    public void Tokens_stay_distinct_and_random_across_many_draws_of_the_buffer()
    {
        var source = new LockTokenSource();
        var tokens = new HashSet<Guid>();
        for (var i = 0; i < 10_000; i++)
        {
            Assert.True(tokens.Add(source.Next()), $"token {i} repeated an earlier one");
        }

        Assert.DoesNotContain(Guid.Empty, tokens);

        // Random bits: each of the 128 is set in about half the tokens (a counter or a stuck buffer would not be).
        for (var bit = 0; bit < 128; bit++)
        {
            var set = tokens.Count(t => (t.ToByteArray()[bit / 8] & (1 << (bit % 8))) != 0);
            Assert.InRange(set, 4_000, 6_000);
        }
    }

    [Fact]
    public void Two_sources_do_not_hand_out_the_same_tokens()
    {
        var first = Enumerable.Range(0, 1_000).Select(_ => new LockTokenSource()).Select(s => s.Next()).ToHashSet();
        Assert.Equal(1_000, first.Count);
    }
}
