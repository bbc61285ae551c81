using Loire.Grains.Hosting;

namespace Loire.Tests.Hosting;

/// <summary>The broker's own checks of its settings, which a silo runs before it starts.</summary>
public sealed class LoireBrokerOptionsTests
{
    [Theory]
    [InlineData(5)]
    [InlineData(30)]
    [InlineData(600)]
    public void ADeliveryLinkLeaseFromFiveSecondsToTenMinutesIsAccepted(int seconds) =>
        new LoireBrokerOptions { DeliveryLinkLease = TimeSpan.FromSeconds(seconds) }.Validate();

    [Theory]
    [InlineData(-1_000)]
    [InlineData(0)]
    [InlineData(1_000)]
    [InlineData(4_999)]
    [InlineData(600_001)]
    public void ADeliveryLinkLeaseOutOfRangeIsRefusedNamingTheOption(int milliseconds)
    {
        var options = new LoireBrokerOptions { DeliveryLinkLease = TimeSpan.FromMilliseconds(milliseconds) };
        var error = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);
        Assert.Equal(nameof(LoireBrokerOptions.DeliveryLinkLease), error.ParamName);
        Assert.Contains("between 5 seconds and 10 minutes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheDefaultDeliveryLinkLeaseIsThirtySeconds() =>
        Assert.Equal(TimeSpan.FromSeconds(30), new LoireBrokerOptions().DeliveryLinkLease);
}
