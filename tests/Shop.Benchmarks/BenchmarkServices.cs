using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Shop.Functions.Messaging;
using Shop.Functions.Orders.SubmitOrder;
using Shop.Functions.Platform;
using Shop.Functions.Tests.Infrastructure;

namespace Shop.Benchmarks;

/// <summary>
/// The app's own registration (<see cref="ShopServiceCollectionExtensions.AddShop"/>) against Azurite, with two
/// replacements: a Table client whose pipeline counts round trips, and a counting stand-in for Service Bus.
/// </summary>
public sealed class BenchmarkServices : IAsyncDisposable
{
    // Any base64 of 32+ bytes: the benchmark's order ids only need to be unique.
    private const string IdempotencySecret = "YmVuY2htYXJrLW9ubHkgaWRlbXBvdGVuY3kgc2VjcmV0ISE=";

    private readonly ServiceProvider _provider;
    private readonly ObjectFactory<SubmitOrderFunction> _createFunction;

    private BenchmarkServices(ServiceProvider provider, RoundTripCounter counter, CountingMessageSender sender)
    {
        _provider = provider;
        Counter = counter;
        Sender = sender;
        _createFunction = ActivatorUtilities.CreateFactory<SubmitOrderFunction>([]);
    }

    public RoundTripCounter Counter { get; }

    public CountingMessageSender Sender { get; }

    public TableServiceClient Tables => _provider.GetRequiredService<TableServiceClient>();

    /// <param name="storageConnectionString">The storage account (Azurite).</param>
    /// <param name="extraSettings">Settings added to or replacing the defaults.</param>
    /// <param name="tableTransport">Replaces the Table client's HTTP transport (the own-work run's instant storage).</param>
    public static async Task<BenchmarkServices> StartAsync(string storageConnectionString, IDictionary<string, string?>? extraSettings = null, HttpPipelineTransport? tableTransport = null)
    {
        var counter = new RoundTripCounter();
        var sender = new CountingMessageSender();
        var settings = new Dictionary<string, string?>
        {
            [AzureClients.StorageSetting] = storageConnectionString,
            ["Orders:IdempotencySecret"] = IdempotencySecret,
        };
        foreach (var (key, value) in extraSettings ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        // No logging provider: log calls cost their IsEnabled check. Production adds OpenTelemetry export on top.
        services.AddLogging();
        services.AddShop();
        services.Replace(ServiceDescriptor.Singleton(sp => AzureClients.CreateTableServiceClient(
            sp.GetRequiredService<IConfiguration>(),
            sp.GetRequiredService<Microsoft.Extensions.Azure.AzureComponentFactory>(),
            options =>
            {
                options.AddPolicy(counter, HttpPipelinePosition.PerRetry);
                if (tableTransport is not null)
                {
                    options.Transport = tableTransport;
                }
            })));
        services.Replace(ServiceDescriptor.Singleton<IMessageSender>(sender));

        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        foreach (var hosted in provider.GetServices<IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
        }

        return new BenchmarkServices(provider, counter, sender);
    }

    /// <summary>
    /// Builds a request for <c>POST /api/orders</c> as the Functions host would hand it over. Done outside the
    /// timed section; its allocations are measured separately.
    /// </summary>
    public static Microsoft.AspNetCore.Http.HttpRequest NewRequest(string body) =>
        HttpTest.Request("POST", "/api/orders", body, headers: new Dictionary<string, string>
        {
            [SubmitOrderFunction.IdempotencyKeyHeader] = Guid.NewGuid().ToString(),
        });

    /// <summary>
    /// One submission through the real function: a new function instance (as the worker creates one per
    /// invocation), the call, and the result written to the response. Returns the status code.
    /// </summary>
    public async Task<int> SubmitAsync(Microsoft.AspNetCore.Http.HttpRequest request)
    {
        var function = _createFunction(_provider, null);
        var result = await function.SubmitOrder(request, CancellationToken.None);
        await result.ExecuteResultAsync(new ActionContext(request.HttpContext, new RouteData(), new ActionDescriptor()));
        return request.HttpContext.Response.StatusCode;
    }

    public T Get<T>()
        where T : notnull => _provider.GetRequiredService<T>();

    public ValueTask DisposeAsync() => _provider.DisposeAsync();

    /// <summary>Waits for the outbox deletes that run after the 202, so that counts include them.</summary>
    public Task DrainOutboxAsync() => _provider.GetRequiredService<OutboxRelay>().DrainAsync();
}
