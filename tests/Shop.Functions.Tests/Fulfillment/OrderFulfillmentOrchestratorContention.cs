using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;
using Moq;
using Shop.Functions.Fulfillment;
using Shop.Functions.Inventory;
using Shop.Functions.Orders;
using Shop.Functions.Orders.CancelOrder;
using Shop.Functions.Orders.Events;
using Shop.Functions.Platform;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Tests.Orders;
using Xunit;

namespace Shop.Functions.Tests.Fulfillment;

[Collection(FaultRunStorage.Name)]
[Trait("Category", "Slow")]
public sealed class OrderFulfillmentOrchestratorContention(AzuriteFixture azurite)
{
    private const string Sku = "SKU-003";

    [Fact]
    public async Task SellsExactlyTheStockGivenFortyOrdersForTwentyFiveUnits()
    {
        await using var saga = await SagaHarness.StartAsync(azurite);
        await saga.SetStockAsync(Sku, 25);
        static void OneUnit(JsonObject body) => body["items"] = new JsonArray(new JsonObject { ["sku"] = Sku, ["quantity"] = 1 });

        var orderIds = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => saga.SubmitAndPlaceAsync(OneUnit)));
        var orders = await Task.WhenAll(orderIds.Select(async id =>
        {
            var deadline = DateTimeOffset.UtcNow.AddSeconds(90);
            while (true)
            {
                var order = await saga.OrderAsync(id);
                if (order.Status is OrderStatuses.AwaitingShipment or OrderStatuses.Failed || DateTimeOffset.UtcNow > deadline)
                {
                    return order;
                }

                await Task.Delay(200);
            }
        }));

        Assert.Equal(25, orders.Count(o => o.Status == OrderStatuses.AwaitingShipment && o.ChargeId is not null));
        Assert.Equal(15, orders.Count(o => o.Status == OrderStatuses.Failed && o.FailureReason == FailureReasons.OutOfStock));
        Assert.Equal(0, await saga.StockAsync(Sku));
        var inventory = saga.Shop.Get<InventoryStore>();
        int charged = 0, reserved = 0;
        foreach (var id in orderIds)
        {
            charged += (await saga.PaymentRowsAsync(id)).Count(row => row.RowKey.Contains("charge", StringComparison.OrdinalIgnoreCase));
            reserved += (await inventory.GetReservationsAsync(id, [new OrderLine(Sku, 1)], CancellationToken.None))
                .Count(r => r.Status == ReservationStatuses.Reserved);
        }

        Assert.Equal(25, charged);
        Assert.Equal(25, reserved);

        // The carrier dispatches the 25: they complete, and over whole tables exactly 25 units left and 25 charges were kept.
        foreach (var order in orders.Where(o => o.Status == OrderStatuses.AwaitingShipment))
        {
            await saga.DispatchAsync(order.OrderId);
        }

        await Task.WhenAll(orderIds.Select(id => saga.WaitForEndAsync(id, 120)));
        var report = await saga.ConservationAsync();
        report.AssertHolds();
        Assert.Equal(25, report.OrdersByStatus[OrderStatuses.Completed]);
        Assert.Equal(25, report.UnitsTaken[Sku]);
    }
}
