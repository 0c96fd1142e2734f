using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker;
using Moq;
using Shop.Functions.Fulfillment;
using Shop.Functions.Fulfillment.CarrierEvents;
using Shop.Functions.Fulfillment.Start;
using Shop.Functions.Messaging;
using Shop.Functions.Orders;
using Shop.Functions.Orders.Events;
using Shop.Functions.Shipping;
using Shop.Functions.Shipping.Booking;
using Shop.Functions.Shipping.Handover;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Tests.Shipping;
using Xunit;

namespace Shop.Functions.Tests.Fulfillment;

/// <summary>
/// One order through every consumer, each message taken from what the app sent before: place-order, ship-order, the
/// carrier's own scheduled dispatch-booked-shipment, then its ShipmentDispatched on order-events/fulfillment.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ShipmentDispatchedEndToEnd(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly Mock<ServiceBusMessageActions> _actions = new();
    private SagaHarness _saga = null!;

    public async Task InitializeAsync()
    {
        _saga = await SagaHarness.StartAsync(azurite);
        await _saga.SetStockAsync("SKU-001", 1_000);
        await _saga.SetStockAsync("SKU-002", 1_000);
    }

    public async Task DisposeAsync() => await _saga.DisposeAsync();

    [Fact]
    public async Task CompletesTheOrderWithTheCarriersTrackingNumberGivenEachMessageIsConsumed()
    {
        var orderId = await _saga.SubmitAsync();

        var placeOrder = Received(orderId, nameof(PlaceOrder));
        await _saga.Shop.Function<PlaceOrderConsumer>().PlaceOrder(placeOrder, _actions.Object, _saga.Client, CancellationToken.None);
        await _saga.WaitForStatusAsync(orderId, OrderStatuses.AwaitingShipment);

        var shipOrder = Received(orderId, nameof(ShipOrder));
        await _saga.Shop.Function<ShipOrderConsumer>().ShipOrder(shipOrder, _actions.Object, CancellationToken.None);

        Assert.True(Sent(orderId, nameof(DispatchBookedShipment)).ScheduledEnqueueTime > DateTimeOffset.UtcNow, "The dispatch is due later.");
        Assert.DoesNotContain(_saga.Shop.Sender.SentFor(orderId), m => m.Subject == OrderEventTypes.ShipmentDispatched);
        var handOver = Received(orderId, nameof(DispatchBookedShipment));
        await _saga.Shop.Function<DispatchBookedShipmentConsumer>().DispatchBookedShipment(handOver, _actions.Object, CancellationToken.None);
        var dispatched = Received(orderId, OrderEventTypes.ShipmentDispatched);
        await _saga.Shop.Function<ShipmentDispatchedConsumer>().ShipmentDispatched(dispatched, _actions.Object, _saga.Client, CancellationToken.None);
        var result = await _saga.WaitForEndAsync(orderId);

        Assert.Equal(new FulfillmentResult(orderId, OrderStatuses.Completed), result);
        foreach (var message in new[] { placeOrder, shipOrder, handOver, dispatched })
        {
            _actions.Verify(a => a.CompleteMessageAsync(message, It.IsAny<CancellationToken>()), Times.Once);
        }

        _actions.VerifyNoOtherCalls();
        var shipment = Assert.Single(await _saga.Shop.ShipmentsAsync(orderId));
        var order = await _saga.OrderAsync(orderId);
        Assert.Equal(OrderStatuses.Completed, order.Status);
        Assert.Equal(shipment.TrackingNumber, order.TrackingNumber);
        Assert.Equal(
            ["OrderAccepted", "StockReserved", "PaymentCaptured", "ShipmentRequested", "ShipmentDispatched", "OrderCompleted"],
            _saga.EventTypesFor(orderId));
        Assert.Equal(shipment.TrackingNumber, Assert.Single(_saga.EventsFor(orderId), e => e.Type == OrderEventTypes.OrderCompleted).Data.TrackingNumber);
    }

    /// <summary>The one message of this subject the app sent for the order.</summary>
    private OutgoingMessage Sent(string orderId, string subject) =>
        Assert.Single(_saga.Shop.Sender.SentFor(orderId), m => m.Subject == subject);

    /// <summary>That message as its consumer receives it.</summary>
    private ServiceBusReceivedMessage Received(string orderId, string subject) => ServiceBusMessages.Received(Sent(orderId, subject));
}
