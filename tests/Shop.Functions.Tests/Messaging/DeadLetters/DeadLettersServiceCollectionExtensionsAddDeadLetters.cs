using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Shop.Functions.Messaging.DeadLetters;
using Shop.Functions.Platform;
using Xunit;

namespace Shop.Functions.Tests.Messaging.DeadLetters;

/// <summary>The app's own registration: the functions are built on the Service Bus store and the app's one client.</summary>
public sealed class DeadLettersServiceCollectionExtensionsAddDeadLetters
{
    // The emulator's published development connection string: the client is built, never connected.
    private const string ServiceBus =
        "Endpoint=sb://localhost;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;";

    [Fact]
    public async Task BuildsTheFunctionsOnTheServiceBusStore()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ServiceBus"] = ServiceBus, [AzureClients.StorageSetting] = "UseDevelopmentStorage=true" })
            .Build());
        services.AddLogging();
        services.AddShop();
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        Assert.IsType<ServiceBusDeadLetterStore>(provider.GetRequiredService<IDeadLetterStore>());
        Assert.NotNull(ActivatorUtilities.CreateInstance<ListDeadLettersFunction>(provider));
        Assert.NotNull(ActivatorUtilities.CreateInstance<ReplayDeadLetterFunction>(provider));
    }
}
