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

[Collection(AzuriteCollection.Name)]
public sealed class OrderFulfillmentOrchestratorTimeout(AzuriteFixture azurite)
{
    [Fact]
    public async Task RefundsReleasesAndFailsGivenNoShipmentInTime()
    {
        await using var saga = await SagaHarness.StartAsync(azurite, new Dictionary<string, string?> { ["Fulfillment:ShippingTimeout"] = "00:00:02" });
        await saga.SetStockAsync("SKU-001", 500);
        await saga.SetStockAsync("SKU-002", 500);

        var orderId = await saga.SubmitAndPlaceAsync();
        await saga.WaitForSagaStatusAsync(orderId, "AwaitingShipmentCancellation");
        await saga.CarrierCancelledAsync(orderId);
        var result = await saga.WaitForEndAsync(orderId);
        // Issue 13 case 1: after the timeout the booked shipment must be cancelled before the order fails refunded.
        await saga.AssertConservedAsync();

        Assert.Equal(new FulfillmentResult(orderId, OrderStatuses.Failed, FailureReasons.ShippingTimeout), result);
        Assert.Equal(500, await saga.StockAsync("SKU-001"));
        Assert.Equal(
            ["OrderAccepted", "StockReserved", "PaymentCaptured", "ShipmentRequested", "ShipmentCancellationRequested", "PaymentRefunded", "StockReleased", "OrderFailed"],
            saga.EventTypesFor(orderId));
    }
}
