using Loire.Autoscale;

namespace Loire.Tests.Autoscale;

/// <summary>The autoscale controller's policy: KEDA/HPA's desired count, fast scale-out, stabilized one-step scale-in.</summary>
public sealed class ScalingPolicyTests
{
    private static readonly TimeSpan s_window = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan s_period = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(1000, 1)]
    [InlineData(1001, 2)]
    [InlineData(2500, 3)]
    [InlineData(1_000_000, 4)]
    public void TheRecommendationIsTheDepthOverTheTargetRoundedUpWithinMinAndMax(double depth, int silos) =>
        Assert.Equal(silos, new ScalingPolicy(1, 4, 1000, s_window, s_period).Recommend(depth));

    [Fact]
    public void ScaleOutFollowsTheRecommendationAtOnce()
    {
        var policy = new ScalingPolicy(1, 4, 1000, s_window, s_period);
        Assert.Equal(1, policy.Decide(At(0), 10, current: 1));
        Assert.Equal(3, policy.Decide(At(1), 2500, current: 1));
    }

    [Fact]
    public void ScaleInWaitsUntilNoRecommendationOfTheWindowWantsTheSilosAndThenRemovesOneAtATime()
    {
        var policy = new ScalingPolicy(1, 4, 1000, s_window, s_period);
        Assert.Equal(3, policy.Decide(At(0), 2500, current: 1));

        // The backlog is gone at 1 s; the 2500 of 0 s still counts until it is older than the window.
        for (var second = 1; second <= 15; second++)
        {
            Assert.Equal(3, policy.Decide(At(second), 0, current: 3));
        }

        Assert.Equal(2, policy.Decide(At(16), 0, current: 3));
        // One silo per period, even though one silo would do.
        for (var second = 17; second < 26; second++)
        {
            Assert.Equal(2, policy.Decide(At(second), 0, current: 2));
        }

        Assert.Equal(1, policy.Decide(At(26), 0, current: 2));
        Assert.Equal(1, policy.Decide(At(40), 0, current: 1));
    }

    [Fact]
    public void ADipShorterThanTheWindowRemovesNoSilo()
    {
        var policy = new ScalingPolicy(1, 4, 1000, s_window, s_period);
        Assert.Equal(2, policy.Decide(At(0), 1500, current: 2));
        for (var second = 1; second < 30; second++)
        {
            // Empty for 10 s out of every 12: the busy readings keep the recommendation at 2 across every window.
            var depth = second % 12 < 10 ? 0 : 1500;
            Assert.Equal(2, policy.Decide(At(second), depth, current: 2));
        }
    }

    [Fact]
    public void NoScaleInBeforeAWholeWindowOfHistory()
    {
        var policy = new ScalingPolicy(1, 4, 1000, s_window, s_period);
        Assert.Equal(3, policy.Decide(At(0), 0, current: 3));
        Assert.Equal(3, policy.Decide(At(14), 0, current: 3));
        Assert.Equal(2, policy.Decide(At(15), 0, current: 3));
    }

    private static TimeSpan At(int second) => TimeSpan.FromSeconds(second);
}
