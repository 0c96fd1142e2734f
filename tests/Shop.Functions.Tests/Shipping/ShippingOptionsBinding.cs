using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Shop.Functions.Shipping;
using Xunit;

namespace Shop.Functions.Tests.Shipping;

/// <summary>The <c>Shipping</c> section as the app binds and validates it.</summary>
public sealed class ShippingOptionsBinding
{
    [Fact]
    public void DefaultsToAThirtySecondDispatchDelay() =>
        Assert.Equal(TimeSpan.FromSeconds(30), Bind([]).DispatchDelay);

    [Fact]
    public void BindsTheDispatchDelay() =>
        Assert.Equal(TimeSpan.FromMinutes(2), Bind(new() { ["Shipping:DispatchDelay"] = "00:02:00" }).DispatchDelay);

    [Theory]
    [InlineData("-00:00:01")]
    [InlineData("2.00:00:00")]
    public void RejectsADispatchDelayOutOfRange(string value)
    {
        var failure = Assert.Throws<OptionsValidationException>(() => Bind(new() { ["Shipping:DispatchDelay"] = value }));

        Assert.Contains(nameof(ShippingOptions.DispatchDelay), failure.Message, StringComparison.Ordinal);
    }

    private static ShippingOptions Bind(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddShipping();
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<ShippingOptions>>().Value;
    }
}
