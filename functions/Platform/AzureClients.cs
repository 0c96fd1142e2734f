using Azure.Data.Tables;
using Azure.Messaging.ServiceBus;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;

namespace Shop.Functions.Platform;

/// <summary>
/// Builds the app's Azure clients from settings that follow the Functions connection conventions: a
/// setting holding a connection string (local: Azurite, the emulator), or, in Azure, a prefix with
/// <c>__tableServiceUri</c> / <c>__blobServiceUri</c> / <c>__fullyQualifiedNamespace</c> plus <c>__credential</c> and <c>__clientId</c>
/// for a managed identity.
/// </summary>
public static class AzureClients
{
    public const string StorageSetting = "Storage";

    /// <param name="configure">Changes to the client options, e.g. a pipeline policy that counts round trips.</param>
    public static TableServiceClient CreateTableServiceClient(
        IConfiguration configuration,
        AzureComponentFactory credentials,
        Action<TableClientOptions>? configure = null)
    {
        var section = configuration.GetSection(StorageSetting);
        var options = new TableClientOptions();
        QuickRetries(options.Retry);
        configure?.Invoke(options);
        if (!string.IsNullOrEmpty(section.Value))
        {
            return new TableServiceClient(section.Value, options);
        }

        var uri = section["tableServiceUri"] ?? throw Missing(StorageSetting, "tableServiceUri");
        return new TableServiceClient(new Uri(uri), credentials.CreateTokenCredential(section), options);
    }

    /// <summary>The same account's blobs, from the same <see cref="StorageSetting"/> (in Azure: its <c>__blobServiceUri</c>).</summary>
    /// <param name="configure">Changes to the client options.</param>
    public static BlobServiceClient CreateBlobServiceClient(
        IConfiguration configuration,
        AzureComponentFactory credentials,
        Action<BlobClientOptions>? configure = null)
    {
        var section = configuration.GetSection(StorageSetting);
        var options = new BlobClientOptions();
        QuickRetries(options.Retry);
        configure?.Invoke(options);
        if (!string.IsNullOrEmpty(section.Value))
        {
            return new BlobServiceClient(section.Value, options);
        }

        var uri = section["blobServiceUri"] ?? throw Missing(StorageSetting, "blobServiceUri");
        return new BlobServiceClient(new Uri(uri), credentials.CreateTokenCredential(section), options);
    }

    public static ServiceBusClient CreateServiceBusClient(IConfiguration configuration, AzureComponentFactory credentials)
    {
        var section = configuration.GetSection(Messaging.Connections.ServiceBus);
        var options = new ServiceBusClientOptions
        {
            // Requests wait for an immediate send only briefly (OutboxOptions); the sweeper retries later.
            RetryOptions = new ServiceBusRetryOptions { MaxRetries = 2, TryTimeout = TimeSpan.FromSeconds(10) },
        };
        if (!string.IsNullOrEmpty(section.Value))
        {
            return new ServiceBusClient(section.Value, options);
        }

        var fullyQualifiedNamespace = section["fullyQualifiedNamespace"] ?? throw Missing(Messaging.Connections.ServiceBus, "fullyQualifiedNamespace");
        return new ServiceBusClient(fullyQualifiedNamespace, credentials.CreateTokenCredential(section), options);
    }

    /// <summary>
    /// Someone is waiting (a request, a message lock): a few quick retries, then a clear failure (503, or the
    /// consumer pipeline's later retry), rather than the SDK's 6 s of back-off.
    /// </summary>
    private static void QuickRetries(Azure.Core.RetryOptions retry)
    {
        retry.MaxRetries = 3;
        retry.Mode = Azure.Core.RetryMode.Exponential;
        retry.Delay = TimeSpan.FromMilliseconds(100);
        retry.MaxDelay = TimeSpan.FromSeconds(1);
        retry.NetworkTimeout = TimeSpan.FromSeconds(10);
    }

    private static InvalidOperationException Missing(string setting, string identityKey) => new(
        $"The app setting '{setting}' is missing. Set it to a connection string, or set '{setting}__{identityKey}' " +
        $"(with '{setting}__credential=managedidentity' and '{setting}__clientId') to connect with a managed identity.");
}
