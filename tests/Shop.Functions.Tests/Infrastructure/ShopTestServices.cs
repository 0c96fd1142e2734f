using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Shop.Functions.Messaging;
using Shop.Functions.Platform;

namespace Shop.Functions.Tests.Infrastructure;

/// <summary>
/// The app's own service registration (<see cref="ShopServiceCollectionExtensions.AddShop"/>) against a real
/// Azurite, with the in-memory stand-in for Service Bus and captured logs. Functions are created from it the
/// way the worker does, so tests exercise the same wiring as production.
/// </summary>
public sealed class ShopTestServices : IAsyncDisposable
{
    public const string TestIdempotencySecret = "dGVzdHMtb25seSBpZGVtcG90ZW5jeSBzZWNyZXQgMzIgYnl0ZXMh";

    private ShopTestServices(ServiceProvider provider, InMemoryMessageSender sender, CapturedLogs logs)
    {
        Provider = provider;
        Sender = sender;
        Logs = logs;
    }

    public ServiceProvider Provider { get; }

    public InMemoryMessageSender Sender { get; }

    public CapturedLogs Logs { get; }

    public TableServiceClient Tables => Provider.GetRequiredService<TableServiceClient>();

    public TableClient OrdersTable => Tables.GetTableClient(StorageTables.Orders);

    /// <summary>Builds the services and runs the app's startup work (table creation) against the given storage.</summary>
    public static async Task<ShopTestServices> StartAsync(
        string storageConnectionString,
        IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? configure = null)
    {
        var values = new Dictionary<string, string?>
        {
            [AzureClients.StorageSetting] = storageConnectionString,
            ["Orders:IdempotencySecret"] = TestIdempotencySecret,

            // Off unless a test turns it on (the backorder tests do): the tests written before backorders expect an order
            // short of stock to fail OutOfStock at once, and a waiting order would hold them until its limit.
            ["Fulfillment:Backorders"] = "false",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var sender = new InMemoryMessageSender();
        var logs = new CapturedLogs();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        services.AddLogging(logging => logging.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        services.AddShop();
        services.Replace(ServiceDescriptor.Singleton<IMessageSender>(sender));
        configure?.Invoke(services);

        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        foreach (var hosted in provider.GetServices<IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
        }

        return new ShopTestServices(provider, sender, logs);
    }

    /// <summary>A function class, built as the worker builds it: constructor injection from the app's container.</summary>
    public T Function<T>()
        where T : class => ActivatorUtilities.CreateInstance<T>(Provider);

    public T Get<T>()
        where T : notnull => Provider.GetRequiredService<T>();

    public ValueTask DisposeAsync() => Provider.DisposeAsync();
}
