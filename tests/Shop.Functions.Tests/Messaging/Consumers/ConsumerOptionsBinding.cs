using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Shop.Functions.Messaging;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Platform;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Messaging.Consumers;

/// <summary>The retry schedule as the app binds and validates it from the <c>Consumers</c> section.</summary>
public sealed class ConsumerOptionsBinding
{
    [Fact]
    public void DefaultsToSixAttemptsWithGrowingDelays()
    {
        var options = Bind([]);

        Assert.Equal(
            [TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2)],
            options.Schedule);
        Assert.Equal(6, options.MaxAttempts);
        Assert.Equal(0.2, options.RetryJitter);
    }

    [Fact]
    public void ReplacesTheDefaultScheduleRatherThanAppendingToIt()
    {
        var options = Bind(new()
        {
            ["Consumers:RetryDelays:0"] = "00:00:05",
            ["Consumers:RetryDelays:1"] = "00:00:30",
            ["Consumers:RetryJitter"] = "0.1",
        });

        Assert.Equal([TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30)], options.Schedule);
        Assert.Equal(3, options.MaxAttempts);
        Assert.Equal(0.1, options.RetryJitter);
    }

    [Theory]
    [InlineData("Consumers:RetryDelays:0", "00:00:00")]
    [InlineData("Consumers:RetryDelays:0", "-00:00:10")]
    [InlineData("Consumers:RetryDelays:0", "30.00:00:00")]
    [InlineData("Consumers:RetryJitter", "0.9")]
    [InlineData("Consumers:RetryJitter", "-0.1")]
    public void RejectsASchedule(string key, string value)
    {
        var failure = Assert.Throws<OptionsValidationException>(() => Bind(new() { [key] = value }));

        Assert.Contains(key.Split(':')[1], failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RegistersTheOnePipelineWithTheMessaging()
    {
        using var provider = Services([]);

        Assert.Same(provider.GetRequiredService<MessagePipeline>(), provider.GetRequiredService<MessagePipeline>());
    }

    private static ConsumerOptions Bind(Dictionary<string, string?> settings)
    {
        using var provider = Services(settings);
        return provider.GetRequiredService<IOptions<ConsumerOptions>>().Value;
    }

    private static ServiceProvider Services(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddMessaging();
        services.Replace(ServiceDescriptor.Singleton<IMessageSender>(new InMemoryMessageSender()));
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = false, ValidateScopes = true });
    }
}
