using System.Globalization;
using Shop.Functions.Catalog;
using Shop.Functions.Inventory;
using Shop.Functions.Orders;
using Shop.Functions.Orders.Events;
using Shop.Functions.Payments;
using Shop.Functions.Shipping;

namespace Shop.Functions.Fulfillment;

/// <summary>
/// What each saga activity does, knowing nothing of Durable Functions. Every step is safe to run twice:
/// stock and payments are idempotent per order, and <see cref="OrderProgress"/> records each event once.
/// </summary>
public sealed class FulfillmentSteps(OrderStore orders, OrderProgress progress, InventoryStore inventory, IPaymentGateway payments)
{
    public async Task<AcceptedOrder> AcceptOrderAsync(string orderId, CancellationToken cancellationToken)
    {
        var result = await progress.RecordAsync(
            orderId,
            new OrderChange(OrderEventTypes.OrderAccepted, OrderStatuses.Processing) { Describe = WithItems },
            cancellationToken);
        return new AcceptedOrder(orderId, result.Order.GetItems());
    }

    public async Task<StockOutcome> ReserveStockAsync(StockInput input, CancellationToken cancellationToken)
    {
        var reservation = await inventory.ReserveAsync(input.OrderId, input.Items, cancellationToken);
        if (!reservation.Reserved)
        {
            return new StockOutcome(false, reservation.OutOfStockSku);
        }

        await progress.RecordAsync(input.OrderId, new OrderChange(OrderEventTypes.StockReserved) { Describe = WithItems }, cancellationToken);
        return new StockOutcome(true);
    }

    public async Task<PaymentOutcome> ChargePaymentAsync(string orderId, CancellationToken cancellationToken)
    {
        var order = await orders.FindAsync(orderId, cancellationToken) ?? throw new InvalidOperationException($"Order {orderId} does not exist.");
        var (amount, currency) = CatalogPrices.Total(order);
        var charge = await payments.ChargeAsync(new ChargeRequest(orderId, order.PaymentToken, amount, currency), cancellationToken);
        if (charge is not ChargeResult.Captured captured)
        {
            return new PaymentOutcome(false, (charge as ChargeResult.Declined)?.DeclineCode);
        }

        await progress.RecordAsync(
            orderId,
            new OrderChange(OrderEventTypes.PaymentCaptured)
            {
                Update = o =>
                {
                    o.ChargeId = captured.ChargeId;
                    o.ChargedAmount = captured.Amount.ToString(CultureInfo.InvariantCulture);
                    o.Currency = captured.Currency;
                },
                Describe = (data, _) => data with { Amount = captured.Amount, Currency = captured.Currency, ChargeId = captured.ChargeId },
            },
            cancellationToken);
        return new PaymentOutcome(true);
    }

    public Task RequestShipmentAsync(string orderId, CancellationToken cancellationToken) =>
        progress.RecordAsync(
            orderId,
            new OrderChange(OrderEventTypes.ShipmentRequested, OrderStatuses.AwaitingShipment)
            {
                // The carrier's ShipmentDispatched takes the next number, so every event of the order is in one sequence.
                ReservedSequences = 1,
                Commands = order => [new ShipOrder(order.OrderId, order.GetItems(), order.GetShippingAddress(), order.Sequence).ToMessage()],
            },
            cancellationToken);

    public Task CompleteOrderAsync(CompleteOrderInput input, CancellationToken cancellationToken) =>
        progress.RecordAsync(
            input.OrderId,
            new OrderChange(OrderEventTypes.OrderCompleted, OrderStatuses.Completed)
            {
                Update = o => o.TrackingNumber = input.TrackingNumber,
                Describe = (data, order) => WithItems(data, order) with { TrackingNumber = input.TrackingNumber },
            },
            cancellationToken);

    /// <summary>Compensation: refunds the captured charge, if there is one.</summary>
    public async Task RefundPaymentAsync(string orderId, CancellationToken cancellationToken)
    {
        var order = await orders.FindAsync(orderId, cancellationToken) ?? throw new InvalidOperationException($"Order {orderId} does not exist.");
        if (order.ChargeId is null)
        {
            return;
        }

        var amount = decimal.Parse(order.ChargedAmount!, CultureInfo.InvariantCulture);
        var refund = await payments.RefundAsync(new RefundRequest(orderId, order.ChargeId, amount, order.Currency!), cancellationToken);
        if (refund is RefundResult.Rejected rejected)
        {
            // The charge we recorded and the provider's disagree: retrying cannot help, a person must look.
            throw new InvalidOperationException($"Refund of charge {order.ChargeId} was rejected: {rejected.RejectCode}.");
        }

        await progress.RecordAsync(
            orderId,
            new OrderChange(OrderEventTypes.PaymentRefunded)
            {
                Describe = (data, _) => data with { Amount = amount, Currency = order.Currency, ChargeId = order.ChargeId },
            },
            cancellationToken);
    }

    /// <summary>Compensation: gives the reserved stock back.</summary>
    public async Task ReleaseStockAsync(StockInput input, CancellationToken cancellationToken)
    {
        await inventory.ReleaseAsync(input.OrderId, input.Items, cancellationToken);
        await progress.RecordAsync(input.OrderId, new OrderChange(OrderEventTypes.StockReleased) { Describe = WithItems }, cancellationToken);
    }

    public Task FailOrderAsync(FailOrderInput input, CancellationToken cancellationToken) =>
        progress.RecordAsync(
            input.OrderId,
            new OrderChange(OrderEventTypes.OrderFailed, OrderStatuses.Failed) { FailureReason = input.Reason },
            cancellationToken);

    public Task CancelOrderAsync(string orderId, CancellationToken cancellationToken) =>
        progress.RecordAsync(orderId, new OrderChange(OrderEventTypes.OrderCancelled, OrderStatuses.Cancelled), cancellationToken);

    private static OrderEventData WithItems(OrderEventData data, OrderEntity order) => data with { Items = order.GetItems() };
}
