using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Shop.Functions.Fulfillment;

/// <summary>The saga's activities: thin triggers that scope the log with the order id and call <see cref="FulfillmentSteps"/>.</summary>
public sealed class FulfillmentActivities(FulfillmentSteps steps, ILogger<FulfillmentActivities> logger)
{
    [Function(nameof(AcceptOrder))]
    public Task<AcceptedOrder> AcceptOrder([ActivityTrigger] string orderId, CancellationToken cancellationToken) =>
        Scoped(orderId, () => steps.AcceptOrderAsync(orderId, cancellationToken));

    [Function(nameof(ReserveStock))]
    public Task<StockOutcome> ReserveStock([ActivityTrigger] StockInput input, CancellationToken cancellationToken) =>
        Scoped(input.OrderId, () => steps.ReserveStockAsync(input, cancellationToken));

    [Function(nameof(ChargePayment))]
    public Task<PaymentOutcome> ChargePayment([ActivityTrigger] string orderId, CancellationToken cancellationToken) =>
        Scoped(orderId, () => steps.ChargePaymentAsync(orderId, cancellationToken));

    [Function(nameof(RequestShipment))]
    public Task RequestShipment([ActivityTrigger] string orderId, CancellationToken cancellationToken) =>
        Scoped(orderId, () => steps.RequestShipmentAsync(orderId, cancellationToken));

    [Function(nameof(CompleteOrder))]
    public Task CompleteOrder([ActivityTrigger] CompleteOrderInput input, CancellationToken cancellationToken) =>
        Scoped(input.OrderId, () => steps.CompleteOrderAsync(input, cancellationToken));

    [Function(nameof(RefundPayment))]
    public Task RefundPayment([ActivityTrigger] string orderId, CancellationToken cancellationToken) =>
        Scoped(orderId, () => steps.RefundPaymentAsync(orderId, cancellationToken));

    [Function(nameof(ReleaseStock))]
    public Task ReleaseStock([ActivityTrigger] StockInput input, CancellationToken cancellationToken) =>
        Scoped(input.OrderId, () => steps.ReleaseStockAsync(input, cancellationToken));

    [Function(nameof(FailOrder))]
    public Task FailOrder([ActivityTrigger] FailOrderInput input, CancellationToken cancellationToken) =>
        Scoped(input.OrderId, () => steps.FailOrderAsync(input, cancellationToken));

    [Function(nameof(MarkOrderCancelled))]
    public Task MarkOrderCancelled([ActivityTrigger] string orderId, CancellationToken cancellationToken) =>
        Scoped(orderId, () => steps.CancelOrderAsync(orderId, cancellationToken));

    [Function(nameof(ResolvePayment))]
    public Task<PaymentOutcome> ResolvePayment([ActivityTrigger] string orderId, CancellationToken cancellationToken) =>
        Scoped(orderId, () => steps.ResolvePaymentAsync(orderId, cancellationToken));

    [Function(nameof(RequestShipmentCancellation))]
    public Task RequestShipmentCancellation([ActivityTrigger] ShipmentCancellationInput input, CancellationToken cancellationToken) =>
        Scoped(input.OrderId, () => steps.RequestShipmentCancellationAsync(input, cancellationToken));

    [Function(nameof(MarkStepOwed))]
    public Task MarkStepOwed([ActivityTrigger] StepOwedInput input, CancellationToken cancellationToken) =>
        Scoped(input.OrderId, () => steps.MarkStepOwedAsync(input, cancellationToken));

    [Function(nameof(MarkNeedsAttention))]
    public Task MarkNeedsAttention([ActivityTrigger] NeedsAttentionInput input, CancellationToken cancellationToken) =>
        Scoped(input.OrderId, () => steps.MarkNeedsAttentionAsync(input, cancellationToken));

    private async Task<T> Scoped<T>(string orderId, Func<Task<T>> step)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["OrderId"] = orderId });
        return await step();
    }

    private async Task Scoped(string orderId, Func<Task> step)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["OrderId"] = orderId });
        await step();
    }
}
