using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Shop.Functions.Fulfillment;
using Shop.Functions.Inventory;
using Shop.Functions.Orders;
using Shop.Functions.Orders.Events;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Fulfillment;

/// <summary>
/// Backorders on the Durable test engine (docs/saga.md, "Backorders"): an order short of stock waits, keeping what it
/// reserved, and is served when a replenishment arrives, waiting orders in arrival order; past its limit it fails
/// OutOfStock and releases what it held; a cancel while it waits refunds nothing and releases what it held.
/// </summary>
[Collection(AzuriteCollection.Name)]
[Trait("Category", "Slow")]
public sealed class OrderFulfillmentOrchestratorBackorders(AzuriteFixture azurite) : IAsyncDisposable
{
    private const string Short = "SKU-026"; // no other test uses these two
    private const string Plenty = "SKU-027";

    private SagaHarness? _saga;

    public async ValueTask DisposeAsync()
    {
        if (_saga is not null)
        {
            await _saga.DisposeAsync();
        }
    }

    [Fact]
    public async Task WaitsKeepingWhatItReservedThenCompletesGivenAReplenishment()
    {
        var saga = await StartAsync();
        await Backorders.ResetSkuAsync(saga, Short, 1, reorderPoint: 1, reorderQuantity: 4);
        await Backorders.ResetSkuAsync(saga, Plenty, 10);

        var orderId = await saga.SubmitAndPlaceAsync(Backorders.Items((Short, 3), (Plenty, 1)));
        var waiting = await saga.WaitForStatusAsync(orderId, OrderStatuses.Backordered);

        // It keeps the line it could reserve, takes nothing of the short SKU, and is charged nothing.
        Assert.Equal(9, await saga.StockAsync(Plenty));
        var shortRow = await Backorders.StockRowAsync(saga, Short);
        Assert.Equal((1, 3), (shortRow.Available, shortRow.WaitingQuantity));
        Assert.Equal([orderId], (await Backorders.WaitersAsync(saga, Short)).Select(w => w.OrderId));
        Assert.Null(waiting.ChargeId);
        Assert.Empty(await saga.PaymentRowsAsync(orderId));
        Assert.Equal(Short, waiting.GetSteps().Single(s => s.Name == OrderEventTypes.Backordered).Detail);

        // The shortage opened a reorder for the reorder quantity and the 2 units the stock lacks.
        var reorder = Assert.Single(Backorders.ReordersOf(saga, Short));
        Assert.Equal(4 + 2, reorder.Quantity);

        Assert.Equal(Shop.Functions.Messaging.Consumers.MessageOutcome.Completed, await Backorders.ReplenishAsync(saga, Short, reorder.ReorderId, reorder.Quantity, reorder.ReorderId));
        await saga.WaitForStatusAsync(orderId, OrderStatuses.AwaitingShipment);
        await saga.DispatchAsync(orderId);
        Assert.Equal(new FulfillmentResult(orderId, OrderStatuses.Completed), await saga.WaitForEndAsync(orderId));

        Assert.Equal(
            ["OrderAccepted", "Backordered", "StockReserved", "PaymentCaptured", "ShipmentRequested", "OrderCompleted"],
            saga.EventTypesFor(orderId));
        var backordered = Assert.Single(saga.EventsFor(orderId), e => e.Type == OrderEventTypes.Backordered);
        Assert.Equal((OrderStatuses.Backordered, Short), (backordered.Data.Status, backordered.Data.Reason));
        shortRow = await Backorders.StockRowAsync(saga, Short);
        Assert.Equal((1 + 6 - 3, 0, null), (shortRow.Available, shortRow.WaitingQuantity, shortRow.OpenReorderId));
        Assert.Empty(await Backorders.WaitersAsync(saga, Short));
        await saga.AssertConservedAsync();
    }

    [Fact]
    public async Task ServesWaitingOrdersInArrivalOrderGivenReplenishments()
    {
        var saga = await StartAsync();
        await Backorders.ResetSkuAsync(saga, Short, 0);

        var first = await saga.SubmitAndPlaceAsync(Backorders.Items((Short, 2)));
        await saga.WaitForStatusAsync(first, OrderStatuses.Backordered);
        var second = await saga.SubmitAndPlaceAsync(Backorders.Items((Short, 1)));
        await saga.WaitForStatusAsync(second, OrderStatuses.Backordered);

        // One unit: not enough for the first, and the second may not take what the first waits for; nor may a newcomer.
        await Backorders.ReplenishAsync(saga, Short, $"{Short}-fifo-1", 1);
        var third = await saga.SubmitAndPlaceAsync(Backorders.Items((Short, 1)));
        await saga.WaitForStatusAsync(third, OrderStatuses.Backordered);
        Assert.Equal([first, second, third], (await Backorders.WaitersAsync(saga, Short)).Select(w => w.OrderId));
        Assert.Equal(1, await saga.StockAsync(Short));

        // One more: the first is served, the two behind it still wait.
        await Backorders.ReplenishAsync(saga, Short, $"{Short}-fifo-2", 1);
        await saga.WaitForStatusAsync(first, OrderStatuses.AwaitingShipment);
        Assert.Equal([second, third], (await Backorders.WaitersAsync(saga, Short)).Select(w => w.OrderId));
        Assert.Equal(OrderStatuses.Backordered, (await saga.OrderAsync(second)).Status);
        Assert.Equal(0, await saga.StockAsync(Short));

        // Two more serve the second and the third.
        await Backorders.ReplenishAsync(saga, Short, $"{Short}-fifo-3", 2);
        await saga.WaitForStatusAsync(second, OrderStatuses.AwaitingShipment);
        await saga.WaitForStatusAsync(third, OrderStatuses.AwaitingShipment);
        Assert.Equal(0, await saga.StockAsync(Short));
        Assert.Equal(0, (await Backorders.StockRowAsync(saga, Short)).WaitingQuantity);

        var reservedAt = new List<DateTimeOffset>();
        foreach (var orderId in new[] { first, second, third })
        {
            reservedAt.Add((await saga.Shop.Get<InventoryStore>().GetReservationsAsync(orderId, [new OrderLine(Short, 1)], CancellationToken.None)).Single().ReservedAt);
            await saga.DispatchAsync(orderId);
            Assert.Equal(OrderStatuses.Completed, (await saga.WaitForEndAsync(orderId)).Status);
        }

        Assert.True(reservedAt[0] < reservedAt[1] && reservedAt[0] < reservedAt[2], "The first to wait is the first served.");
        await saga.AssertConservedAsync();
    }

    [Fact]
    public async Task FailsOutOfStockReleasingWhatItHeldGivenItWaitsPastItsLimit()
    {
        var saga = await StartAsync(limit: "00:00:02");
        await Backorders.ResetSkuAsync(saga, Short, 1);
        await Backorders.ResetSkuAsync(saga, Plenty, 10);

        var orderId = await saga.SubmitAndPlaceAsync(Backorders.Items((Short, 3), (Plenty, 2)));
        await saga.WaitForStatusAsync(orderId, OrderStatuses.Backordered);
        Assert.Equal(8, await saga.StockAsync(Plenty));

        Assert.Equal(new FulfillmentResult(orderId, OrderStatuses.Failed, FailureReasons.OutOfStock), await saga.WaitForEndAsync(orderId));
        Assert.Equal(10, await saga.StockAsync(Plenty));
        var shortRow = await Backorders.StockRowAsync(saga, Short);
        Assert.Equal((1, 0), (shortRow.Available, shortRow.WaitingQuantity));
        Assert.Empty(await Backorders.WaitersAsync(saga, Short));
        Assert.Empty(await saga.PaymentRowsAsync(orderId));
        Assert.Equal(["OrderAccepted", "Backordered", "StockReleased", "OrderFailed"], saga.EventTypesFor(orderId));
        await saga.AssertConservedAsync();
    }

    [Fact]
    public async Task RefundsNothingAndReleasesWhatItHeldGivenACancelWhileBackordered()
    {
        var saga = await StartAsync();
        await Backorders.ResetSkuAsync(saga, Short, 0);
        await Backorders.ResetSkuAsync(saga, Plenty, 10);

        var orderId = await saga.SubmitAndPlaceAsync(Backorders.Items((Short, 1), (Plenty, 4)));
        await saga.WaitForStatusAsync(orderId, OrderStatuses.Backordered);
        await saga.WaitForSagaStatusAsync(orderId, OrderStatuses.Backordered);
        Assert.Equal(202, await Backorders.CancelAsync(saga, orderId));

        Assert.Equal(new FulfillmentResult(orderId, OrderStatuses.Cancelled), await saga.WaitForEndAsync(orderId));
        Assert.Equal(10, await saga.StockAsync(Plenty));
        Assert.Equal(0, (await Backorders.StockRowAsync(saga, Short)).WaitingQuantity);
        Assert.Empty(await Backorders.WaitersAsync(saga, Short));
        Assert.Empty(await saga.PaymentRowsAsync(orderId));
        Assert.Equal(["OrderAccepted", "Backordered", "StockReleased", "OrderCancelled"], saga.EventTypesFor(orderId));

        // The unit it waited for goes to nobody: a replenishment now leaves it in stock.
        await Backorders.ReplenishAsync(saga, Short, $"{Short}-after-cancel", 1);
        Assert.Equal(1, await saga.StockAsync(Short));
        await saga.AssertConservedAsync();
    }

    [Fact]
    public async Task NeverOversellsNorCountsAReplenishmentTwiceGivenConcurrentOrdersAndReplenishments()
    {
        var saga = await StartAsync();
        await Backorders.ResetSkuAsync(saga, Short, 1);

        var orders = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => saga.SubmitAsync(Backorders.Items((Short, 1)))));
        await Task.WhenAll(orders.Select(saga.PlaceAsync));
        await WaitUntilAsync(async () => (await Backorders.WaitersAsync(saga, Short)).Count == 3);

        // Two replenishments of 1 and 2 units, each delivered twice, all at once: 3 units more, counted once each.
        await Task.WhenAll(
            Backorders.ReplenishAsync(saga, Short, $"{Short}-race-1", 1),
            Backorders.ReplenishAsync(saga, Short, $"{Short}-race-2", 2),
            Backorders.ReplenishAsync(saga, Short, $"{Short}-race-1", 1),
            Backorders.ReplenishAsync(saga, Short, $"{Short}-race-2", 2));

        foreach (var orderId in orders)
        {
            await saga.WaitForStatusAsync(orderId, OrderStatuses.AwaitingShipment);
        }

        var stock = await Backorders.StockRowAsync(saga, Short);
        Assert.Equal((0, 0), (stock.Available, stock.WaitingQuantity));
        Assert.Empty(await Backorders.WaitersAsync(saga, Short));
        foreach (var orderId in orders)
        {
            await saga.DispatchAsync(orderId);
            Assert.Equal(OrderStatuses.Completed, (await saga.WaitForEndAsync(orderId)).Status);
        }

        await saga.AssertConservedAsync();
    }

    /// <summary>An instance started by the code before backorders (no policy in its input) still fails at once.</summary>
    [Fact]
    public async Task FailsOutOfStockAtOnceGivenAnInstanceStartedWithoutTheBackorderPolicy()
    {
        var saga = await StartAsync();
        await Backorders.ResetSkuAsync(saga, Short, 1);
        await Backorders.ResetSkuAsync(saga, Plenty, 10);

        var orderId = await saga.SubmitAsync(Backorders.Items((Short, 3), (Plenty, 1)));
        var current = FulfillmentInput.For(orderId, saga.Shop.Get<Microsoft.Extensions.Options.IOptions<FulfillmentOptions>>().Value);
        Assert.NotNull(current.Backorders);
        await saga.Client.ScheduleNewOrchestrationInstanceAsync(
            nameof(OrderFulfillmentOrchestrator.OrderFulfillmentV2),
            current with { Backorders = null },
            new StartOrchestrationOptions(InstanceId: orderId));

        Assert.Equal(new FulfillmentResult(orderId, OrderStatuses.Failed, FailureReasons.OutOfStock), await saga.WaitForEndAsync(orderId));
        Assert.Equal(["OrderAccepted", "OrderFailed"], saga.EventTypesFor(orderId));
        Assert.Equal(10, await saga.StockAsync(Plenty));
        Assert.Empty(await Backorders.WaitersAsync(saga, Short));
        Assert.DoesNotContain((await saga.OrderAsync(orderId)).GetSteps(), s => s.Name == OrderEventTypes.Backordered);
        await saga.AssertConservedAsync();
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, int seconds = 30)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "The condition did not come true in time.");
            await Task.Delay(100);
        }
    }

    private async Task<SagaHarness> StartAsync(Dictionary<string, string?>? extra = null, string limit = "00:00:30")
    {
        var settings = Backorders.Settings(limit);
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        return _saga = await SagaHarness.StartAsync(azurite, settings);
    }
}
