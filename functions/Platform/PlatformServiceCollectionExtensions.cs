using Azure.Data.Tables;
using Azure.Messaging.ServiceBus;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Shop.Functions.Platform.Http;

namespace Shop.Functions.Platform;

public static class PlatformServiceCollectionExtensions
{
    /// <summary>Storage (tables, blobs) and Service Bus clients (one each for the app), the clock, and public URL building.</summary>
    public static IServiceCollection AddPlatform(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddAzureClientsCore();
        services.TryAddSingleton(sp => AzureClients.CreateTableServiceClient(
            sp.GetRequiredService<IConfiguration>(), sp.GetRequiredService<AzureComponentFactory>()));
        services.TryAddSingleton(sp => AzureClients.CreateBlobServiceClient(
            sp.GetRequiredService<IConfiguration>(), sp.GetRequiredService<AzureComponentFactory>()));
        services.TryAddSingleton(sp => AzureClients.CreateServiceBusClient(
            sp.GetRequiredService<IConfiguration>(), sp.GetRequiredService<AzureComponentFactory>()));
        services.AddHostedService<StorageInitializer>();

        services.AddOptions<PublicUrlOptions>()
            .BindConfiguration(PublicUrlOptions.SectionName)
            .Validate(o => o.IsValid(), "PublicUrls:BaseUrl must be empty or an absolute http(s) URL without a query.")
            .ValidateOnStart();
        services.TryAddSingleton<PublicUrls>();
        services.AddOptions<GatewayOptions>()
            .BindConfiguration(GatewayOptions.SectionName)
            .Validate(o => string.IsNullOrEmpty(o.CallerSecret) || o.CallerSecret.Length >= 32, "Gateway:CallerSecret must be empty or at least 32 characters.")
            .ValidateOnStart();
        services.TryAddSingleton<GatewayCaller>();
        return services;
    }
}
