using System.Reflection;
using System.Text.Json;
using Shop.Functions.Messaging;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Platform;

/// <summary>
/// The contract with the Functions host: the functions.metadata that the SDK generated at build time. Each
/// function's trigger, route, methods, auth level and entity names are pinned here; a new function must be
/// added to <see cref="Expected"/>, which is the point.
/// </summary>
public sealed class FunctionMetadataContract
{
    private sealed record Trigger(
        string Type,
        string? Route = null,
        string[]? Methods = null,
        string? AuthLevel = null,
        string? Queue = null,
        string? Topic = null,
        string? Subscription = null,
        string? Connection = null,
        string? Schedule = null);

    private static readonly Dictionary<string, Trigger> Expected = new()
    {
        ["SubmitOrder"] = new("httpTrigger", Route: "orders", Methods: ["post"], AuthLevel: "Function"),
        ["ListCustomerOrders"] = new("httpTrigger", Route: "orders", Methods: ["get"], AuthLevel: "Function"),
        ["GetOrderStatus"] = new("httpTrigger", Route: "orders/{orderId}/status", Methods: ["get"], AuthLevel: "Anonymous"),
        ["GetOrder"] = new("httpTrigger", Route: "orders/{orderId}", Methods: ["get"], AuthLevel: "Anonymous"),
        ["CancelOrder"] = new("httpTrigger", Route: "orders/{orderId}/cancel", Methods: ["post"], AuthLevel: "Function"),
        ["SweepOutbox"] = new("timerTrigger", Schedule: "0 * * * * *"),
        ["WatchOpenOrders"] = new("timerTrigger", Schedule: "%WatchOpenOrdersSchedule%"),
        ["ApplyRetention"] = new("timerTrigger", Schedule: "%ApplyRetentionSchedule%"),
        ["PlaceOrder"] = new("serviceBusTrigger", Queue: "place-order", Connection: "ServiceBus"),
        ["NotifyCustomer"] = new("serviceBusTrigger", Topic: "order-events", Subscription: "notifications", Connection: "ServiceBus"),
        ["SendEmail"] = new("serviceBusTrigger", Queue: "send-email", Connection: "ServiceBus"),
        ["OrderFulfillment"] = new("orchestrationTrigger"),
        ["OrderFulfillmentV2"] = new("orchestrationTrigger"),
        ["AcceptOrder"] = new("activityTrigger"),
        ["ReserveStock"] = new("activityTrigger"),
        ["ChargePayment"] = new("activityTrigger"),
        ["RequestShipment"] = new("activityTrigger"),
        ["CompleteOrder"] = new("activityTrigger"),
        ["RefundPayment"] = new("activityTrigger"),
        ["ReleaseStock"] = new("activityTrigger"),
        ["FailOrder"] = new("activityTrigger"),
        ["MarkOrderCancelled"] = new("activityTrigger"),
        ["ResolvePayment"] = new("activityTrigger"),
        ["RequestShipmentCancellation"] = new("activityTrigger"),
        ["MarkStepOwed"] = new("activityTrigger"),
        ["MarkNeedsAttention"] = new("activityTrigger"),
        ["OrderCompleted"] = new("serviceBusTrigger", Topic: "order-events", Subscription: "catalog", Connection: "ServiceBus"),
        ["ShipOrder"] = new("serviceBusTrigger", Queue: "ship-order", Connection: "ServiceBus"),
        ["CancelShipment"] = new("serviceBusTrigger", Queue: "cancel-shipment", Connection: "ServiceBus"),
        ["DispatchBookedShipment"] = new("serviceBusTrigger", Queue: "dispatch-booked-shipment", Connection: "ServiceBus"),
        ["ReorderStock"] = new("serviceBusTrigger", Queue: "reorder-stock", Connection: "ServiceBus"),
        ["StockReplenished"] = new("serviceBusTrigger", Topic: "order-events", Subscription: "inventory", Connection: "ServiceBus"),
        ["ShipmentDispatched"] = new("serviceBusTrigger", Topic: "order-events", Subscription: "fulfillment", Connection: "ServiceBus"),
        ["ListDeadLetters"] = new("httpTrigger", Route: "ops/dead-letters/{entity}", Methods: ["get"], AuthLevel: "Admin"),
        ["ReplayDeadLetter"] = new("httpTrigger", Route: "ops/dead-letters/{entity}/{sequenceNumber}/replay", Methods: ["post"], AuthLevel: "Admin"),
        ["ListOrdersNeedingAttention"] = new("httpTrigger", Route: "ops/orders/needs-attention", Methods: ["get"], AuthLevel: "Admin"),
        ["GetStock"] = new("httpTrigger", Route: "ops/stock/{sku}", Methods: ["get"], AuthLevel: "Admin"),
        ["ReceiveStock"] = new("httpTrigger", Route: "ops/stock/{sku}/receipts", Methods: ["post"], AuthLevel: "Admin"),
        ["RegisterWebhook"] = new("httpTrigger", Route: "webhooks", Methods: ["post"], AuthLevel: "Function"),
        ["ListWebhooks"] = new("httpTrigger", Route: "webhooks", Methods: ["get"], AuthLevel: "Function"),
        ["GetWebhook"] = new("httpTrigger", Route: "webhooks/{id}", Methods: ["get"], AuthLevel: "Function"),
        ["DeleteWebhook"] = new("httpTrigger", Route: "webhooks/{id}", Methods: ["delete"], AuthLevel: "Function"),
        ["UpdateWebhook"] = new("httpTrigger", Route: "webhooks/{id}", Methods: ["patch"], AuthLevel: "Function"),
        ["RotateWebhookSecret"] = new("httpTrigger", Route: "webhooks/{id}/rotate-secret", Methods: ["post"], AuthLevel: "Function"),
        ["ListWebhookDeliveries"] = new("httpTrigger", Route: "webhooks/{id}/deliveries", Methods: ["get"], AuthLevel: "Function"),
        ["RedeliverWebhook"] = new("httpTrigger", Route: "webhooks/{id}/deliveries/{deliveryId}/redeliver", Methods: ["post"], AuthLevel: "Function"),
        ["FanOutWebhooks"] = new("serviceBusTrigger", Topic: "order-events", Subscription: "webhooks", Connection: "ServiceBus"),
        ["DeliverWebhook"] = new("serviceBusTrigger", Queue: "deliver-webhook", Connection: "ServiceBus"),
        ["ListCatalogItems"] = new("httpTrigger", Route: "catalog/items", Methods: ["get"], AuthLevel: "Anonymous"),
        ["GetCatalogItem"] = new("httpTrigger", Route: "catalog/items/{sku}", Methods: ["get"], AuthLevel: "Anonymous"),
        ["GetHealth"] = new("httpTrigger", Route: "health", Methods: ["get"], AuthLevel: "Anonymous"),
        ["GetOpenApiDocument"] = new("httpTrigger", Route: "openapi.json", Methods: ["get"], AuthLevel: "Anonymous"),
        ["ReceiveStripeEvent"] = new("httpTrigger", Route: "payments/stripe/events", Methods: ["post"], AuthLevel: "Anonymous"),
    };

    private static readonly Lazy<Dictionary<string, Trigger>> Actual = new(ReadMetadata);

    [Fact]
    public void DeclaresExactlyTheExpectedFunctions() =>
        Assert.Equal(Expected.Keys.Order(StringComparer.Ordinal), Actual.Value.Keys.Order(StringComparer.Ordinal));

    [Fact]
    public void BindsEachFunctionToItsTrigger()
    {
        foreach (var (name, expected) in Expected)
        {
            Assert.True(Actual.Value.TryGetValue(name, out var actual), $"{name} is missing from functions.metadata");
            Assert.Equivalent(expected, actual, strict: true);
        }
    }

    [Fact]
    public void NamesEachConsumerClassAfterItsFunction()
    {
        // One rule for consumers (docs/architecture.md): class XConsumer, function X, X the command or event it takes.
        var consumers = typeof(Shop.Functions.Messaging.Consumers.MessagePipeline).Assembly.GetTypes()
            .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Where(method => method.GetParameters().Any(parameter => parameter.GetCustomAttribute<Microsoft.Azure.Functions.Worker.ServiceBusTriggerAttribute>() is not null))
            .Select(method => (Function: method.GetCustomAttribute<Microsoft.Azure.Functions.Worker.FunctionAttribute>()!.Name, Method: method.Name, Class: method.DeclaringType!.Name))
            .ToList();

        Assert.Equal(Expected.Count(pair => pair.Value.Type == "serviceBusTrigger"), consumers.Count);
        Assert.All(consumers, consumer =>
        {
            Assert.Equal(consumer.Function + "Consumer", consumer.Class);
            Assert.Equal(consumer.Function, consumer.Method);
        });
    }

    [Fact]
    public void KeepsWritesBehindAKey()
    {
        // Stripe cannot send a function key: its webhook is anonymous and checks the Stripe-Signature header instead.
        var writes = Actual.Value.Where(f => f.Value is { Type: "httpTrigger" } t && t.Methods!.Any(m => m != "get" && m != "head") && f.Key != "ReceiveStripeEvent");

        Assert.All(writes, f => Assert.Contains(f.Value.AuthLevel, new[] { "Function", "Admin" }));
    }

    [Fact]
    public void AvoidsRoutesTheHostReserves()
    {
        // The host refuses a route starting with "admin" or "runtime" (whatever the route prefix) and puts the function in
        // error at startup; nothing in the build would notice.
        var routes = Actual.Value.Values.Where(t => t.Type == "httpTrigger").Select(t => t.Route!.Trim('/'));

        Assert.All(routes, route => Assert.False(
            route.StartsWith("admin", StringComparison.OrdinalIgnoreCase) || route.StartsWith("runtime", StringComparison.OrdinalIgnoreCase),
            $"The Functions host reserves the route '{route}'."));
    }

    [Fact]
    public void UsesOnlyDesignedServiceBusEntities()
    {
        var queues = Constants(typeof(Queues));
        var topics = Constants(typeof(Topics));
        var subscriptions = Constants(typeof(Subscriptions));

        foreach (var trigger in Actual.Value.Values.Where(t => t.Type == "serviceBusTrigger"))
        {
            Assert.Equal(Connections.ServiceBus, trigger.Connection);
            if (trigger.Queue is not null)
            {
                Assert.Contains(trigger.Queue, queues);
            }
            else
            {
                Assert.Contains(trigger.Topic, topics);
                Assert.Contains(trigger.Subscription, subscriptions);
            }
        }
    }

    [Fact]
    public void GivesEveryServiceBusTriggerTheBindingPropertiesOfTheRealPackage()
    {
        // The real Microsoft.Azure.Functions.Worker.Extensions.ServiceBus 5.23.0 trigger has an input converter that
        // supports deferred binding, and the SDK writes this on each of its bindings; the stand-in in eng/ must too.
        var triggers = FunctionsMetadata.All.Select(f => (f.Name, Binding: f.Trigger)).Where(f => f.Binding.GetProperty("type").GetString() == "serviceBusTrigger").ToArray();

        Assert.NotEmpty(triggers);
        Assert.All(triggers, t => Assert.Equal(
            """{"supportsDeferredBinding":"True"}""",
            JsonSerializer.Serialize(t.Binding.GetProperty("properties")).Replace(" ", string.Empty, StringComparison.Ordinal)));
        Assert.All(triggers, t => Assert.Equal("One", t.Binding.GetProperty("cardinality").GetString()));
    }

    [Fact]
    public void ShipsHostJsonWithApiPrefixAndExplicitSettlement()
    {
        using var host = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.FunctionsOutput, "host.json")));
        var extensions = host.RootElement.GetProperty("extensions");

        Assert.Equal("api", extensions.GetProperty("http").GetProperty("routePrefix").GetString());
        Assert.False(extensions.GetProperty("serviceBus").GetProperty("autoCompleteMessages").GetBoolean());
        Assert.Equal("OpenTelemetry", host.RootElement.GetProperty("telemetryMode").GetString());

        // Durable's distributed tracing V2: the saga's orchestration and activities join the order's trace in Azure.
        var tracing = extensions.GetProperty("durableTask").GetProperty("tracing");
        Assert.True(tracing.GetProperty("distributedTracingEnabled").GetBoolean());
        Assert.Equal("V2", tracing.GetProperty("version").GetString());
    }

    private static Dictionary<string, Trigger> ReadMetadata() =>
        FunctionsMetadata.All.ToDictionary(
            function => function.Name,
            function =>
            {
                var trigger = function.Trigger;
                return new Trigger(
                    trigger.GetProperty("type").GetString()!,
                    Route: Text(trigger, "route"),
                    Methods: trigger.TryGetProperty("methods", out var methods) ? methods.EnumerateArray().Select(m => m.GetString()!).ToArray() : null,
                    AuthLevel: Text(trigger, "authLevel"),
                    Queue: Text(trigger, "queueName"),
                    Topic: Text(trigger, "topicName"),
                    Subscription: Text(trigger, "subscriptionName"),
                    Connection: Text(trigger, "connection"),
                    Schedule: Text(trigger, "schedule"));
            },
            StringComparer.Ordinal);

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value.GetString() : null;

    private static HashSet<string?> Constants(Type type) =>
        type.GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (string?)f.GetRawConstantValue()).ToHashSet();
}
