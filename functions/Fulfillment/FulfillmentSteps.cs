using System.Globalization;
using Shop.Functions.Catalog;
using Shop.Functions.Inventory;
using Shop.Functions.Orders;
using Shop.Functions.Orders.Events;
using Shop.Functions.Orders.History;
using Shop.Functions.Orders.Watchdog;
using Shop.Functions.Payments;
using Shop.Functions.Shipping;
using Shop.Functions.Shipping.Booking;
using Shop.Functions.Shipping.Cancellation;

namespace Shop.Functions.Fulfillment;

/// <summary>
/// What each saga activity does, knowing nothing of Durable Functions. Every step is safe to run twice:
/// stock and payments are idempotent per order, and <see cref="OrderProgress"/> records each event once.
/// </summary>
public sealed class FulfillmentSteps(
    OrderStore orders, OrderProgress progress, InventoryStore inventory, IPaymentGateway payments, OpenOrderIndex openOrders, CustomerOrderIndex customerOrders, TimeProvider time)
{
    public Task<AcceptedOrder> AcceptOrderAsync(string orderId, CancellationToken cancellationToken) =>
        AcceptOrderAsync(orderId, null, cancellationToken);

    /// <summary>
    /// Records OrderAccepted and indexes the order in its account's history. <paramref name="known"/>: the row as the caller
    /// just read it (the PlaceOrder consumer, which accepts the order before it starts the saga), so it is not read again.
    /// </summary>
    public async Task<AcceptedOrder> AcceptOrderAsync(string orderId, OrderRow? known, CancellationToken cancellationToken)
    {
        var result = await progress.RecordAsync(
            orderId,
            new OrderChange(OrderEventTypes.OrderAccepted, OrderStatuses.Processing) { Describe = WithItems },
            known,
            cancellationToken);

        // The account's history points at it from now on (an upsert of a key taken from the row: a repeat is harmless).
        await customerOrders.AddAsync(result.Order, cancellationToken);
        return new AcceptedOrder(orderId, result.Order.GetItems());
    }

    public async Task<StockOutcome> ReserveStockAsync(StockInput input, CancellationToken cancellationToken)
    {
        if (input.Backorder)
        {
            return await ReserveOrWaitAsync(input, cancellationToken);
        }

        var reservation = await inventory.ReserveAsync(input.OrderId, input.Items, cancellationToken);
        if (!reservation.Reserved)
        {
            return new StockOutcome(false, reservation.OutOfStockSku);
        }

        await progress.RecordAsync(input.OrderId, new OrderChange(OrderEventTypes.StockReserved) { Describe = WithItems }, cancellationToken);
        return new StockOutcome(true);
    }

    /// <summary>
    /// A backorder's reservation: what is short waits on its SKU's waiting list (the order becomes Backordered, once, with
    /// the SKUs in the event's reason), what could be reserved stays so; once all is reserved the order is Processing again.
    /// </summary>
    private async Task<StockOutcome> ReserveOrWaitAsync(StockInput input, CancellationToken cancellationToken)
    {
        var reservation = await inventory.ReserveOrWaitAsync(input.OrderId, input.Items, cancellationToken);
        if (reservation.Reserved)
        {
            await progress.RecordAsync(input.OrderId, new OrderChange(OrderEventTypes.StockReserved, OrderStatuses.Processing) { Describe = WithItems }, cancellationToken);
            return new StockOutcome(true);
        }

        if (reservation.WaitingSkus is not { Count: > 0 } waiting)
        {
            return new StockOutcome(false, reservation.OutOfStockSku);
        }

        var skus = string.Join(",", waiting);
        await progress.RecordAsync(
            input.OrderId,
            new OrderChange(OrderEventTypes.Backordered, OrderStatuses.Backordered)
            {
                StepDetail = skus,
                Describe = (data, order) => WithItems(data, order) with { Reason = skus },
            },
            cancellationToken);
        return new StockOutcome(false, WaitingSkus: waiting);
    }

    public async Task<PaymentOutcome> ChargePaymentAsync(string orderId, CancellationToken cancellationToken)
    {
        var order = await orders.FindAsync(orderId, cancellationToken) ?? throw new InvalidOperationException($"Order {orderId} does not exist.");
        if (OrderStatuses.IsTerminal(order.Status))
        {
            // Its token is gone with its terminal write (OrderProgress): an order that ended is never charged.
            throw new InvalidOperationException($"Order {orderId} is {order.Status}: it is not charged any more.");
        }

        var (amount, currency) = CatalogPrices.Total(order);
        var charge = await payments.ChargeAsync(new ChargeRequest(orderId, order.PaymentToken, amount, currency), cancellationToken);
        if (charge is ChargeResult.Pending)
        {
            // 3-D Secure: the saga waits for the provider's webhook, then asks it (ResolvePayment).
            return new PaymentOutcome(false, AwaitingAction: true);
        }

        if (charge is not ChargeResult.Captured captured)
        {
            return new PaymentOutcome(false, (charge as ChargeResult.Declined)?.DeclineCode);
        }

        // The row read above: its ETag guards the write, so it need not be read again.
        await RecordCaptureAsync(orderId, captured.ChargeId, captured.Amount, captured.Currency, order, cancellationToken);
        return new PaymentOutcome(true);
    }

    public Task RequestShipmentAsync(string orderId, CancellationToken cancellationToken) =>
        progress.RecordAsync(
            orderId,
            new OrderChange(OrderEventTypes.ShipmentRequested, OrderStatuses.AwaitingShipment)
            {
                // The carrier's ShipmentDispatched takes the next number, so every event of the order is in one sequence.
                ReservedSequences = 1,
                // The contact travels on to the carrier's ShipmentDispatched, so its e-mail and webhook need not read the row.
                Commands = order => [new ShipOrder(order.OrderId, order.GetItems(), order.GetShippingAddress(), order.Sequence, order.GetContact()).ToMessage()],
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

    /// <summary>
    /// The provider is asked what happened to a charge whose answer was lost (the charge failed through its retries): a
    /// capture it holds is recorded as the order's, exactly as if the answer had come back, and the order goes on.
    /// </summary>
    public async Task<PaymentOutcome> ResolvePaymentAsync(string orderId, CancellationToken cancellationToken)
    {
        var payment = await payments.GetPaymentAsync(orderId, cancellationToken);
        if (payment.ChargeId is null || payment.CapturedAmount <= 0 || payment.RefundedAmount > 0)
        {
            return new PaymentOutcome(false);
        }

        await RecordCaptureAsync(orderId, payment.ChargeId, payment.CapturedAmount, payment.Currency!, null, cancellationToken);
        return new PaymentOutcome(true);
    }

    /// <summary>
    /// Compensation: gives back whatever the provider captured for the order. The charge is found by the order id when the
    /// order row does not name it (its answer was lost), and a refund with nothing to refund closes the order at the
    /// provider, so a charge request still in flight cannot capture afterwards. A rejected refund throws: the saga retries
    /// it on its long schedule, then a person looks.
    /// </summary>
    public async Task RefundPaymentAsync(string orderId, CancellationToken cancellationToken)
    {
        var order = await orders.FindAsync(orderId, cancellationToken) ?? throw new InvalidOperationException($"Order {orderId} does not exist.");
        var request = order.ChargeId is null
            ? RefundRequest.Everything(orderId)
            : new RefundRequest(orderId, order.ChargeId, decimal.Parse(order.ChargedAmount!, CultureInfo.InvariantCulture), order.Currency!);
        switch (await payments.RefundAsync(request, cancellationToken))
        {
            case RefundResult.Rejected rejected:
                throw new InvalidOperationException($"The refund of order {orderId} was rejected: {rejected.RejectCode}.");
            case RefundResult.Refunded refunded:
                await progress.RecordAsync(
                    orderId,
                    new OrderChange(OrderEventTypes.PaymentRefunded)
                    {
                        Describe = (data, _) => data with { Amount = refunded.Amount, Currency = refunded.Currency, ChargeId = refunded.ChargeId },
                    },
                    cancellationToken);
                break;
        }
    }

    /// <summary>
    /// Compensation: gives the reserved stock back, and marks every line of the order released (also lines it never held),
    /// so that a late duplicate of ReserveStock takes nothing, and takes a backorder off its waiting lists. StockReleased is
    /// published only after StockReserved or Backordered was (a backorder may hold some lines): an out-of-stock answer had
    /// already put back what it took.
    /// </summary>
    public async Task ReleaseStockAsync(StockInput input, CancellationToken cancellationToken)
    {
        await inventory.ReleaseAsync(input.OrderId, input.Items, cancellationToken);
        if ((await orders.FindAsync(input.OrderId, cancellationToken)) is { } order
            && (order.HasStep(OrderEventTypes.StockReserved) || order.HasStep(OrderEventTypes.Backordered)))
        {
            await progress.RecordAsync(input.OrderId, new OrderChange(OrderEventTypes.StockReleased) { Describe = WithItems }, cancellationToken);
        }
    }

    /// <summary>
    /// Asks the carrier to cancel the shipment: the CancelShipment command goes out with the step, in one transaction. A
    /// sequence number is set aside after this step's event for the carrier's ShipmentCancelled, which the command carries,
    /// so the answer sorts after the question. (A ShipmentDispatched that won the race keeps the number set aside at
    /// RequestShipment; the unused one is a gap.)
    /// </summary>
    public Task RequestShipmentCancellationAsync(ShipmentCancellationInput input, CancellationToken cancellationToken) =>
        progress.RecordAsync(
            input.OrderId,
            new OrderChange(OrderEventTypes.ShipmentCancellationRequested)
            {
                StepDetail = input.Reason,
                ReservedSequences = 1,
                Commands = order => [new CancelShipment(order.OrderId, order.ReservedSequence ?? 0, input.Reason).ToMessage()],
            },
            cancellationToken);

    /// <summary>A compensation (or the final write) is owed and retried later: the order says so, without an event.</summary>
    public Task MarkStepOwedAsync(StepOwedInput input, CancellationToken cancellationToken) =>
        progress.RecordAsync(
            input.OrderId,
            new OrderChange(OrderStepNames.CompensationOwed, OrderStatuses.Compensating)
            {
                Unpublished = true,
                StepDetail = $"{input.Activity}: {input.Error}",
            },
            cancellationToken);

    /// <summary>Ends the order NeedsAttention and lists it for operators (<c>GET /api/ops/orders/needs-attention</c>).</summary>
    public async Task MarkNeedsAttentionAsync(NeedsAttentionInput input, CancellationToken cancellationToken)
    {
        var result = await progress.RecordAsync(
            input.OrderId,
            new OrderChange(OrderEventTypes.OrderNeedsAttention, OrderStatuses.NeedsAttention) { FailureReason = input.Reason },
            cancellationToken);
        // A retry after the row was written lists it too; an order that ended otherwise meanwhile is not listed.
        if (result.Order.Status == OrderStatuses.NeedsAttention)
        {
            await openOrders.FlagNeedsAttentionAsync(input.OrderId, result.Order.FailureReason ?? input.Reason, time.GetUtcNow(), cancellationToken);
        }
    }

    public Task FailOrderAsync(FailOrderInput input, CancellationToken cancellationToken) =>
        progress.RecordAsync(
            input.OrderId,
            new OrderChange(OrderEventTypes.OrderFailed, OrderStatuses.Failed) { FailureReason = input.Reason, Commands = CancelShipmentLeftBehind },
            cancellationToken);

    public Task CancelOrderAsync(string orderId, CancellationToken cancellationToken) =>
        progress.RecordAsync(
            orderId,
            new OrderChange(OrderEventTypes.OrderCancelled, OrderStatuses.Cancelled) { Commands = CancelShipmentLeftBehind },
            cancellationToken);

    /// <summary>
    /// Version 1 of the saga ends a cancelled or timed-out order without telling the carrier. Its instances still in flight
    /// after the deploy call these same activities, so the final write sends the CancelShipment it forgot (version 2 asks
    /// the carrier before it gets here, so for it this is nothing).
    /// </summary>
    private static IReadOnlyList<Messaging.OutgoingMessage> CancelShipmentLeftBehind(OrderRow order) =>
        order.HasStep(OrderEventTypes.ShipmentRequested) && !order.HasStep(OrderEventTypes.ShipmentCancellationRequested)
            ? [new CancelShipment(order.OrderId, order.ReservedSequence ?? 0, order.FailureReason ?? OrderStatuses.Cancelled).ToMessage()]
            : [];

    private Task<OrderChangeResult> RecordCaptureAsync(string orderId, string chargeId, decimal amount, string currency, OrderRow? known, CancellationToken cancellationToken) =>
        progress.RecordAsync(
            orderId,
            new OrderChange(OrderEventTypes.PaymentCaptured)
            {
                Update = o =>
                {
                    o.ChargeId = chargeId;
                    o.ChargedAmount = amount.ToString(CultureInfo.InvariantCulture);
                    o.Currency = currency;
                },
                Describe = (data, _) => data with { Amount = amount, Currency = currency, ChargeId = chargeId },
            },
            known,
            cancellationToken);

    private static OrderEventData WithItems(OrderEventData data, OrderRow order) => data with { Items = order.GetItems() };
}
