using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Shop.Functions.Catalog;
using Shop.Functions.Catalog.Sales;
using Shop.Functions.Notifications;
using Shop.Functions.Orders;
using Shop.Functions.Platform;
using Shop.Functions.Tests.EndToEnd.Harness;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Tests.Notifications;
using Shop.Functions.Tests.Orders;
using Shop.Functions.Tests.Webhooks;
using Shop.Functions.Tests.Webhooks.Delivery;
using Xunit;

namespace Shop.Functions.Tests.EndToEnd;

/// <summary>
/// Whole orders through the whole app (<see cref="ShopPipeline"/>): the front door, the saga on a real Durable engine,
/// every Service Bus consumer fed by the in-process broker, Azurite, and two real webhook receivers on 127.0.0.1 (a
/// registered subscription and the order's callback). Everything is asserted from the outside: HTTP answers, what the
/// receivers got, e-mail blobs and table rows. Each flow also runs with every message delivered twice.
/// </summary>
[Collection(AzuriteCollection.Name)]
[Trait("Category", "Slow")]
public sealed class OrderPipelineEndToEnd(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly string[] HappyEvents =
        ["OrderAccepted", "StockReserved", "PaymentCaptured", "ShipmentRequested", "ShipmentDispatched", "OrderCompleted"];

    private WebhookReceiver _hooks = null!;
    private WebhookReceiver _callbacks = null!;
    private ShopPipeline? _pipeline;
    private string _webhookSecret = null!;

    public async Task InitializeAsync()
    {
        _hooks = await WebhookReceiver.StartAsync();
        _callbacks = await WebhookReceiver.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_pipeline is not null)
        {
            await _pipeline.DisposeAsync();
        }

        await _hooks.DisposeAsync();
        await _callbacks.DisposeAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CompletesGivenStockAndAGoodCard(bool deliverTwice)
    {
        var shop = await StartAsync(deliverTwice);
        var soldBefore = (await UnitsSoldAsync("SKU-020"), await UnitsSoldAsync("SKU-021"));

        var submitted = await shop.SubmitAsync(Order());
        Assert.Equal(202, submitted.Status);
        var orderId = submitted.Json().GetProperty("orderId").GetString()!;
        var statusUrl = submitted.Json().GetProperty("statusUrl").GetString()!;
        Assert.Equal(statusUrl, submitted.Headers.Location.ToString());
        Assert.False(string.IsNullOrEmpty(submitted.Headers.RetryAfter.ToString()));
        var callbackSecret = submitted.Json().GetProperty("callbackSecret").GetString()!;

        var inFlight = await shop.StatusAsync(orderId);
        Assert.Equal(200, inFlight.Status);
        Assert.False(string.IsNullOrEmpty(inFlight.Headers.RetryAfter.ToString()));
        Assert.False(OrderStatuses.IsTerminal(inFlight.Json().GetProperty("status").GetString()!));

        var order = await FinishedOrderAsync(shop, orderId);
        await AssertConservedAsync(shop);
        Assert.Equal(OrderStatuses.Completed, order.GetProperty("status").GetString());
        Assert.Equal(["Submitted", .. HappyEvents.Where(e => e != "ShipmentDispatched")], StepsOf(order));

        await shop.Broker.WhenIdleAsync(Patience);
        AssertReceivedInSequence(_hooks, orderId, _webhookSecret, HappyEvents);
        AssertReceivedInSequence(_callbacks, orderId, callbackSecret, HappyEvents);
        var completed = JsonDocument.Parse(_hooks.Requests.Last(r => r.Body.Contains("\"OrderCompleted\"", StringComparison.Ordinal)).Body).RootElement;
        Assert.StartsWith("SANDBOX-", completed.GetProperty("data").GetProperty("trackingNumber").GetString(), StringComparison.Ordinal);
        Assert.Equal(["OrderAccepted", "OrderCompleted", "ShipmentDispatched"], await EmailsAsync(shop, orderId));
        Assert.Equal((soldBefore.Item1 + 2, soldBefore.Item2 + 1), (await UnitsSoldAsync("SKU-020"), await UnitsSoldAsync("SKU-021")));
        Assert.Equal((98, 99), (await StockAsync(shop, "SKU-020"), await StockAsync(shop, "SKU-021")));
        Assert.Equal(["charge:Captured"], await PaymentRowKindsAsync(shop, orderId));
        AssertNothingLost(shop, deliverTwice);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task FailsAndReleasesStockGivenADeclinedCard(bool deliverTwice)
    {
        var shop = await StartAsync(deliverTwice);

        var orderId = await SubmitAsync(shop, Order(b => b["payment"]!["token"] = "tok_decline"));
        var order = await FinishedOrderAsync(shop, orderId);
        await AssertConservedAsync(shop);

        Assert.Equal(OrderStatuses.Failed, order.GetProperty("status").GetString());
        Assert.Equal(FailureReasons.PaymentDeclined, order.GetProperty("failureReason").GetString());
        await shop.Broker.WhenIdleAsync(Patience);
        string[] events = ["OrderAccepted", "StockReserved", "StockReleased", "OrderFailed"];
        AssertReceivedInSequence(_hooks, orderId, _webhookSecret, events);
        Assert.Equal(["OrderAccepted", "OrderFailed"], await EmailsAsync(shop, orderId));
        Assert.Equal((100, 100), (await StockAsync(shop, "SKU-020"), await StockAsync(shop, "SKU-021")));
        Assert.Equal(["charge:Declined"], await PaymentRowKindsAsync(shop, orderId));
        Assert.DoesNotContain(shop.Broker.Sent, m => m.Subject == "ShipOrder");
        AssertNothingLost(shop, deliverTwice);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task FailsWithoutChargingGivenTooLittleStock(bool deliverTwice)
    {
        // Without backorders (a deployment's choice): out of stock fails at once. ReorderEndToEnd has the backordered order.
        var shop = await StartAsync(deliverTwice, new() { ["Fulfillment:Backorders"] = "false" });
        await shop.SetStockAsync("SKU-020", 1);

        var orderId = await SubmitAsync(shop, Order());
        var order = await FinishedOrderAsync(shop, orderId);
        await AssertConservedAsync(shop);

        Assert.Equal(OrderStatuses.Failed, order.GetProperty("status").GetString());
        Assert.Equal(FailureReasons.OutOfStock, order.GetProperty("failureReason").GetString());
        await shop.Broker.WhenIdleAsync(Patience);
        AssertReceivedInSequence(_hooks, orderId, _webhookSecret, ["OrderAccepted", "OrderFailed"]);
        Assert.Equal(["OrderAccepted", "OrderFailed"], await EmailsAsync(shop, orderId));
        Assert.Equal((1, 100), (await StockAsync(shop, "SKU-020"), await StockAsync(shop, "SKU-021")));
        Assert.Empty(await PaymentRowKindsAsync(shop, orderId));
        AssertNothingLost(shop, deliverTwice);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CompletesAfterTheSuppliersReplenishmentGivenTooLittleStockAndBackorders(bool deliverTwice)
    {
        var shop = await StartAsync(deliverTwice, new() { ["Fulfillment:Backorders"] = "true", ["Fulfillment:BackorderLimit"] = "00:01:00" });
        var table = shop.Shop.Tables.GetTableClient(StorageTables.Inventory);
        var stock = (await shop.Shop.Get<Functions.Inventory.InventoryStore>().GetStockAsync("SKU-020", CancellationToken.None))!;
        (stock.Available, stock.OpenReorderId, stock.WaitingQuantity) = (1, null, 0);
        await table.UpsertEntityAsync(stock, TableUpdateMode.Replace);
        shop.Conservation.Seed("SKU-020", 1);

        // 2 wanted, 1 in stock: Backordered, the shortage reorders, the sandbox supplier delivers after 1 s, it completes.
        var orderId = await SubmitAsync(shop, Order());
        var order = await FinishedOrderAsync(shop, orderId);
        await AssertConservedAsync(shop);

        Assert.Equal(OrderStatuses.Completed, order.GetProperty("status").GetString());
        Assert.Equal(["Submitted", "OrderAccepted", "Backordered", "StockReserved", "PaymentCaptured", "ShipmentRequested", "OrderCompleted"], StepsOf(order));
        await shop.Broker.WhenIdleAsync(Patience);
        AssertReceivedInSequence(_hooks, orderId, _webhookSecret, ["OrderAccepted", "Backordered", .. HappyEvents.Skip(1)]);
        Assert.Contains("Backordered", await EmailsAsync(shop, orderId));
        Assert.Contains("OrderCompleted", await EmailsAsync(shop, orderId));
        Assert.Equal(["charge:Captured"], await PaymentRowKindsAsync(shop, orderId));
        AssertNothingLost(shop, deliverTwice);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CancelsWithRefundAndReleaseGivenCancelWhileAwaitingShipment(bool deliverTwice)
    {
        // The carrier dispatches 3 s after booking: time for the customer to cancel while the order awaits shipment, and
        // within the test, which waits for the carrier (issue 13: a carrier delayed past the test hid the parcel leaving).
        var shop = await StartAsync(deliverTwice, new() { ["Shipping:DispatchDelay"] = "00:00:03" });

        var orderId = await SubmitAsync(shop, Order());
        await WaitForStatusAsync(shop, orderId, OrderStatuses.AwaitingShipment);
        var cancel = await shop.CancelAsync(orderId);
        Assert.Equal(202, cancel.Status);
        var order = await FinishedOrderAsync(shop, orderId);
        // Issue 13 case 1: the booked shipment is cancelled with the carrier before anything is given back; nothing leaves.
        await AssertConservedAsync(shop);

        Assert.Equal(OrderStatuses.Cancelled, order.GetProperty("status").GetString());
        await shop.Broker.WhenIdleAsync(Patience);
        string[] events =
        [
            "OrderAccepted", "StockReserved", "PaymentCaptured", "ShipmentRequested", "ShipmentCancellationRequested", "ShipmentCancelled",
            "PaymentRefunded", "StockReleased", "OrderCancelled",
        ];
        AssertReceivedInSequence(_hooks, orderId, _webhookSecret, events);
        Assert.Equal(["OrderAccepted", "OrderCancelled", "PaymentRefunded"], await EmailsAsync(shop, orderId));
        Assert.Equal((100, 100), (await StockAsync(shop, "SKU-020"), await StockAsync(shop, "SKU-021")));
        Assert.Equal(["charge:Captured", "refund"], await PaymentRowKindsAsync(shop, orderId));
        Assert.Equal(409, (await shop.CancelAsync(orderId)).Status);
        AssertNothingLost(shop, deliverTwice);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task FailsWithRefundAndReleaseGivenNoDispatchBeforeTheShippingTimeout(bool deliverTwice)
    {
        // The carrier is slower than the shipping timeout (2 s), but not than the test: it dispatches after 5 s, and the test
        // waits for it (issue 13: a carrier delayed past the test hid the parcel leaving).
        var shop = await StartAsync(deliverTwice, new()
        {
            ["Shipping:DispatchDelay"] = "00:00:05",
            ["Fulfillment:ShippingTimeout"] = "00:00:02",
        });

        var orderId = await SubmitAsync(shop, Order());
        var order = await FinishedOrderAsync(shop, orderId);
        // Issue 13 case 1: on the timeout too, the booking is cancelled first, and the late dispatch does nothing.
        await AssertConservedAsync(shop);

        Assert.Equal(OrderStatuses.Failed, order.GetProperty("status").GetString());
        Assert.Equal(FailureReasons.ShippingTimeout, order.GetProperty("failureReason").GetString());
        await shop.Broker.WhenIdleAsync(Patience);
        string[] events =
        [
            "OrderAccepted", "StockReserved", "PaymentCaptured", "ShipmentRequested", "ShipmentCancellationRequested", "ShipmentCancelled",
            "PaymentRefunded", "StockReleased", "OrderFailed",
        ];
        AssertReceivedInSequence(_hooks, orderId, _webhookSecret, events);
        Assert.Equal(["OrderAccepted", "OrderFailed", "PaymentRefunded"], await EmailsAsync(shop, orderId));
        Assert.Equal((100, 100), (await StockAsync(shop, "SKU-020"), await StockAsync(shop, "SKU-021")));
        Assert.Equal(["charge:Captured", "refund"], await PaymentRowKindsAsync(shop, orderId));
        AssertNothingLost(shop, deliverTwice);
    }

    private async Task<ShopPipeline> StartAsync(bool deliverTwice, Dictionary<string, string?>? settings = null)
    {
        _pipeline = await ShopPipeline.StartAsync(azurite.ConnectionString, new BrokerOptions { DeliverTwice = deliverTwice }, settings);
        await WebhookTests.ClearWebhooksAsync(_pipeline.Shop);
        (_, _webhookSecret) = await WebhookTests.RegisterAsync(_pipeline.Shop, _hooks.Url.ToString(), "*");
        await _pipeline.SetStockAsync("SKU-020", 100);
        await _pipeline.SetStockAsync("SKU-021", 100);
        return _pipeline;
    }

    /// <summary>The conservation check over whole tables, e-mails and both receivers, after the drain (carrier included).</summary>
    private Task AssertConservedAsync(ShopPipeline shop) => shop.AssertConservedAsync(null, _hooks, _callbacks);

    /// <summary>Two of SKU-020 and one of SKU-021 (no other test uses them), with the callback receiver as callbackUrl.</summary>
    private JsonObject Order(Action<JsonObject>? edit = null)
    {
        var body = OrderRequests.Valid();
        body["items"] = new JsonArray
        {
            new JsonObject { ["sku"] = "SKU-020", ["quantity"] = 2 },
            new JsonObject { ["sku"] = "SKU-021", ["quantity"] = 1 },
        };
        body["callbackUrl"] = _callbacks.Url.ToString();
        edit?.Invoke(body);
        return body;
    }

    private static async Task<string> SubmitAsync(ShopPipeline shop, JsonObject body)
    {
        var response = await shop.SubmitAsync(body);
        Assert.Equal(202, response.Status);
        return response.Json().GetProperty("orderId").GetString()!;
    }

    /// <summary>Polls the status monitor until it answers 303, follows the redirect, and returns the order.</summary>
    private static async Task<JsonElement> FinishedOrderAsync(ShopPipeline shop, string orderId)
    {
        var status = await shop.PollUntilFinishedAsync(orderId, Patience);
        Assert.Equal(303, status.Status);
        Assert.EndsWith($"/api/orders/{orderId}", status.Headers.Location.ToString(), StringComparison.Ordinal);
        var order = await shop.OrderAsync(orderId);
        Assert.Equal(200, order.Status);
        return order.Json();
    }

    private static async Task WaitForStatusAsync(ShopPipeline shop, string orderId, string status)
    {
        var deadline = DateTimeOffset.UtcNow + Patience;
        while ((await shop.StatusAsync(orderId)).Json().GetProperty("status").GetString() != status)
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, $"Order {orderId} never reached {status}.");
            await Task.Delay(50);
        }
    }

    private static List<string> StepsOf(JsonElement order) =>
        [.. order.GetProperty("steps").EnumerateArray().Select(step => step.GetProperty("name").GetString()!)];

    /// <summary>
    /// Each event of the order reached the receiver exactly once, validly signed (the HMAC recomputed from the spec);
    /// in the order's sequence the types are <paramref name="expected"/>, with strictly increasing sequence numbers.
    /// Arrival order is not asserted: deliveries are concurrent, and receivers order by <c>data.sequence</c>.
    /// </summary>
    private static void AssertReceivedInSequence(WebhookReceiver receiver, string orderId, string secret, string[] expected)
    {
        var received = receiver.Requests
            .Select(request => (Request: request, Event: JsonDocument.Parse(request.Body).RootElement))
            .Where(r => r.Event.GetProperty("subject").GetString() == orderId)
            .ToList();
        Assert.All(received, r => Assert.True(WebhookDeliveryTest.IsSignedWith(r.Request, secret), $"Bad signature on {r.Request.Header("webhook-id")}."));
        Assert.Equal(received.Count, received.Select(r => r.Request.Header("webhook-id")).Distinct().Count());
        var inSequence = received.OrderBy(r => r.Event.GetProperty("data").GetProperty("sequence").GetInt64()).ToList();
        Assert.Equal(expected, inSequence.Select(r => r.Event.GetProperty("type").GetString()!));
        var sequences = inSequence.Select(r => r.Event.GetProperty("data").GetProperty("sequence").GetInt64()).ToList();
        Assert.Equal(sequences.Order().Distinct(), sequences);
    }

    private static async Task<List<string>> EmailsAsync(ShopPipeline shop, string orderId) =>
        [.. (await shop.Shop.EmailBlobsAsync(orderId)).Select(name => name[(orderId.Length + 1)..^".eml".Length]).Order(StringComparer.Ordinal)];

    private async Task<long> UnitsSoldAsync(string sku) =>
        await _pipeline!.Shop.Get<CatalogSales>().GetUnitsSoldAsync(sku, CancellationToken.None);

    private static Task<int> StockAsync(ShopPipeline shop, string sku) => shop.Shop.Tables.StockAsync(sku);

    private static async Task<List<string>> PaymentRowKindsAsync(ShopPipeline shop, string orderId) =>
        (await shop.Shop.Tables.PaymentKindsAsync(orderId)).GetValueOrDefault(orderId) ?? [];

    /// <summary>No message dead-lettered; with double delivery, every delivery really was made twice.</summary>
    private static void AssertNothingLost(ShopPipeline shop, bool deliverTwice)
    {
        Assert.Empty(shop.Broker.DeadLetters);
        var counters = shop.Broker.Counters;
        Assert.Equal(0, counters.Unsettled);
        if (deliverTwice)
        {
            Assert.True(counters.Deliveries >= 2 * shop.Broker.Completed.Count, $"{counters.Deliveries} deliveries for {shop.Broker.Completed.Count} messages.");
        }
    }
}
