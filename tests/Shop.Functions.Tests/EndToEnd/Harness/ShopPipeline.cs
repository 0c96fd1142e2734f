using System.Text.Json.Nodes;
using Azure.Messaging.ServiceBus;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Shop.Functions.Fulfillment;
using Shop.Functions.Messaging;
using Shop.Functions.Tests.Fulfillment;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Tests.Reliability;

namespace Shop.Functions.Tests.EndToEnd.Harness;

/// <summary>
/// The whole app in one process, for end-to-end tests and the pipeline benchmark: the app's own service registration
/// (<c>AddShop()</c>) against a real Azurite, the saga on a real Durable Task engine, and the
/// <see cref="InProcessBroker"/> in place of Service Bus delivering to the real trigger functions. HTTP functions are
/// called as the host calls them. Delays are configured short (seconds, not days); nothing else is changed.
/// </summary>
public sealed class ShopPipeline : IAsyncDisposable
{
    /// <summary>Settings that make a run take seconds: carrier, timeouts and retry schedules. Tests may override any.</summary>
    public static IReadOnlyDictionary<string, string?> FastSettings { get; } = new Dictionary<string, string?>
    {
        ["Shipping:DispatchDelay"] = "00:00:00.200",
        ["Fulfillment:ShippingTimeout"] = "00:00:30",
        ["Fulfillment:ActivityMaxAttempts"] = "6",
        ["Fulfillment:ActivityFirstRetryInterval"] = "00:00:00.100",
        ["Fulfillment:ActivityMaxRetryInterval"] = "00:00:01",
        ["Consumers:RetryDelays:0"] = "00:00:01",
        ["Consumers:RetryDelays:1"] = "00:00:01",
        ["Consumers:RetryDelays:2"] = "00:00:02",
        ["Consumers:RetryDelays:3"] = "00:00:03",
        ["Webhooks:RedeliveryDelays:0"] = "00:00:01",
        ["Webhooks:RedeliveryDelays:1"] = "00:00:02",
        ["Webhooks:RequireHttps"] = "false",
        ["Webhooks:AllowLoopback"] = "true",
        ["Outbox:SweepAge"] = "00:00:02",
    };

    private readonly Dictionary<string, string> _noRouteValues = [];

    private ShopPipeline(ShopTestServices shop, DurableTaskTestHost durable, InProcessBroker broker)
    {
        Shop = shop;
        Durable = durable;
        Broker = broker;
    }

    public ShopTestServices Shop { get; }

    public DurableTaskTestHost Durable { get; }

    public DurableTaskClient Client => Durable.Client;

    public InProcessBroker Broker { get; }

    public static async Task<ShopPipeline> StartAsync(
        string storageConnectionString,
        BrokerOptions? broker = null,
        IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? configure = null)
    {
        var values = new Dictionary<string, string?>(FastSettings);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var bus = new InProcessBroker(BrokerTopology.Load(), broker);
        var shop = await ShopTestServices.StartAsync(storageConnectionString, values, services =>
        {
            services.Replace(ServiceDescriptor.Singleton<IMessageSender>(bus));
            configure?.Invoke(services);
        });
        var durable = await SagaHarness.StartEngineAsync(shop.Function<FulfillmentActivities>());
        var pipeline = new ShopPipeline(shop, durable, bus);
        pipeline.StartConsumers();
        return pipeline;
    }

    /// <summary>Delivers to the function that functions.metadata names for the entity, as the host would.</summary>
    public void StartConsumers() =>
        Broker.StartConsumers((entity, message, actions, cancellationToken) =>
            FunctionMethods.InvokeAsync(Shop, entity.FunctionName, _noRouteValues, message, actions, Client, cancellationToken));

    /// <summary>Calls an HTTP function by its [Function] name with route values, as the host does.</summary>
    public async Task<TestResponse> HttpAsync(
        string functionName,
        string method,
        string path,
        IReadOnlyDictionary<string, string>? routeValues = null,
        string? body = null,
        IDictionary<string, string>? headers = null)
    {
        var request = HttpTest.Request(method, path, body, body is null ? null : "application/json", headers);
        var result = (IActionResult)(await FunctionMethods.InvokeAsync(Shop, functionName, routeValues ?? _noRouteValues, request, Client))!;
        return await HttpTest.RunAsync(request, result);
    }

    public Task<TestResponse> SubmitAsync(JsonObject body, string? idempotencyKey = null) =>
        HttpAsync("SubmitOrder", "POST", "/api/orders", body: body.ToJsonString(),
            headers: idempotencyKey is null ? null : new Dictionary<string, string> { ["Idempotency-Key"] = idempotencyKey });

    public Task<TestResponse> StatusAsync(string orderId) =>
        HttpAsync("GetOrderStatus", "GET", $"/api/orders/{orderId}/status", Route(orderId));

    public Task<TestResponse> OrderAsync(string orderId) =>
        HttpAsync("GetOrder", "GET", $"/api/orders/{orderId}", Route(orderId));

    public Task<TestResponse> CancelAsync(string orderId) =>
        HttpAsync("CancelOrder", "POST", $"/api/orders/{orderId}/cancel", Route(orderId));

    /// <summary>Polls the status monitor, as a client does, until it redirects (303) to the finished order.</summary>
    public async Task<TestResponse> PollUntilFinishedAsync(string orderId, TimeSpan timeout)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            var status = await StatusAsync(orderId);
            if (status.Status != 200 || DateTimeOffset.UtcNow > deadline)
            {
                return status;
            }

            await Task.Delay(50);
        }
    }

    /// <summary>The SweepOutbox timer function, run once.</summary>
    public Task SweepOutboxAsync(CancellationToken cancellationToken = default) =>
        FunctionMethods.InvokeAsync(Shop, "SweepOutbox", _noRouteValues, new TimerInfo(), cancellationToken);

    private static Dictionary<string, string> Route(string orderId) => new() { ["orderId"] = orderId };

    public async ValueTask DisposeAsync()
    {
        await Broker.DisposeAsync();
        await Durable.DisposeAsync();
        await Shop.DisposeAsync();
    }
}
