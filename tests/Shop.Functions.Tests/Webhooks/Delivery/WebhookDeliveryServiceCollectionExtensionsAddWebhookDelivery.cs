using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Shop.Functions.Platform.Http;
using Shop.Functions.Webhooks;
using Shop.Functions.Webhooks.Delivery;
using Xunit;

namespace Shop.Functions.Tests.Webhooks.Delivery;

public sealed class WebhookDeliveryServiceCollectionExtensionsAddWebhookDelivery
{
    [Fact]
    public void DefaultsToHttpsOnlyNoLoopbackAndTenSecondAttempts()
    {
        using var services = Build([]);

        var options = services.GetRequiredService<IOptions<WebhookOptions>>().Value;

        Assert.True(options.RequireHttps);
        Assert.False(options.AllowLoopback);
        Assert.Equal(TimeSpan.FromSeconds(10), options.Timeout);
        Assert.Equal(3, options.MaxAttempts);
        Assert.Equal(64 * 1024, options.MaxResponseBodyBytes);
        Assert.IsType<DnsWebhookHostResolver>(services.GetRequiredService<IWebhookHostResolver>());
        Assert.NotNull(services.GetRequiredService<IWebhookSender>());
        Assert.False(options.ValidationHandshake);
        Assert.False(services.GetRequiredService<WebhookHandshake>().IsRequired);
        Assert.Equal("shop.example", options.RequestOrigin);
        Assert.Null(options.RequestRate);
    }

    [Theory]
    [InlineData(null, null, "shop.example")]
    [InlineData("https://api.contoso.com/shop", null, "api.contoso.com")]
    [InlineData("https://api.contoso.com", "hooks.contoso.com", "hooks.contoso.com")]
    [InlineData("http://10.1.2.3:8080", null, "shop.example")]
    public void TakesTheRequestOriginFromTheSettingElseThePublicBaseUrl(string? baseUrl, string? origin, string expected)
    {
        using var services = Build(new() { ["PublicUrls:BaseUrl"] = baseUrl, ["Webhooks:RequestOrigin"] = origin });

        Assert.Equal(expected, services.GetRequiredService<IOptions<WebhookOptions>>().Value.RequestOrigin);
    }

    [Fact]
    public void BindsTheWebhooksSection()
    {
        using var services = Build(new()
        {
            ["Webhooks:AllowLoopback"] = "true",
            ["Webhooks:RequireHttps"] = "false",
            ["Webhooks:Timeout"] = "00:00:05",
            ["Webhooks:CircuitBreakerMinimumThroughput"] = "4",
        });

        var options = services.GetRequiredService<IOptions<WebhookOptions>>().Value;

        Assert.True(options.AllowLoopback);
        Assert.False(options.RequireHttps);
        Assert.Equal(TimeSpan.FromSeconds(5), options.Timeout);
        Assert.Equal(4, options.CircuitBreakerMinimumThroughput);
    }

    [Theory]
    [InlineData("Webhooks:MaxAttempts", "0")]
    [InlineData("Webhooks:Timeout", "00:10:00")]
    [InlineData("Webhooks:CircuitBreakerMinimumThroughput", "1")]
    [InlineData("Webhooks:CircuitBreakerFailureRatio", "0")]
    [InlineData("Webhooks:RetryMaxDelay", "00:00:00.001")]
    [InlineData("Webhooks:RequestOrigin", "https://shop.contoso.com")]
    [InlineData("Webhooks:RequestOrigin", "10.0.0.1")]
    [InlineData("Webhooks:RequestRate", "0")]
    public void RejectsAnInvalidSetting(string key, string value)
    {
        using var services = Build(new() { [key] = value });

        Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<WebhookOptions>>().Value);
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddLogging();
        services.AddOptions<PublicUrlOptions>().BindConfiguration(PublicUrlOptions.SectionName);
        services.AddWebhookDelivery();
        return services.BuildServiceProvider();
    }
}
