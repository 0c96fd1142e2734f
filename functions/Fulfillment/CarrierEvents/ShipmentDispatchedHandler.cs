using System.Text.Json.Serialization.Metadata;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Orders;
using Shop.Functions.Orders.Events;
using Shop.Functions.Platform;

namespace Shop.Functions.Fulfillment.CarrierEvents;

/// <summary>
/// <c>order-events/fulfillment</c>: hands the carrier's ShipmentDispatched or ShipmentCancelled to the order's saga
/// (instance id = order id) as the event it waits for (<see cref="FulfillmentEvents.ShipmentDispatched"/>,
/// <see cref="FulfillmentEvents.ShipmentCancelled"/>). An event for a saga that does not exist or has ended changes
/// nothing: the order is already final (completed by an earlier copy of this event, cancelled, or timed out), so it is
/// completed. A redelivered event raises it again; the saga takes the first and ignores the rest.
/// </summary>
public sealed partial class ShipmentDispatchedHandler(DurableTaskClient client, ILogger<ShipmentDispatchedHandler> logger)
    : IMessageHandler<OrderEvent>
{
    public IReadOnlyCollection<string> Subjects { get; } = [OrderEventTypes.ShipmentDispatched, OrderEventTypes.ShipmentCancelled];

    public JsonTypeInfo<OrderEvent> TypeInfo => ShopJsonContext.Default.OrderEvent;

    public async Task<MessageOutcome> HandleAsync(OrderEvent message, MessageContext context, CancellationToken cancellationToken)
    {
        if (OrderEventCheck.Problem(message, context) is { } problem)
        {
            return MessageOutcome.Reject(problem);
        }

        var orderId = message.Data!.OrderId;
        var instance = await client.GetInstanceAsync(orderId, cancellationToken);
        if (instance is null)
        {
            LogNoSaga(orderId, message.Type);
            return MessageOutcome.Completed;
        }

        // Suspended counts as alive: its events wait for it to resume. Dropping this one would time the order out,
        // refunding a shipment that left.
        if (instance.RuntimeStatus is not (OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Pending or OrchestrationRuntimeStatus.Suspended))
        {
            LogSagaEnded(orderId, message.Type, instance.RuntimeStatus);
            return MessageOutcome.Completed;
        }

        if (message.Type == OrderEventTypes.ShipmentCancelled)
        {
            await client.RaiseEventAsync(orderId, FulfillmentEvents.ShipmentCancelled, new ShipmentCancelledData(message.Data!.Reason), cancellationToken);
            LogCancelRaised(orderId, message.Data.Reason);
            return MessageOutcome.Completed;
        }

        var trackingNumber = message.Data!.TrackingNumber;
        await client.RaiseEventAsync(orderId, FulfillmentEvents.ShipmentDispatched, new ShipmentDispatchedData(trackingNumber), cancellationToken);
        LogRaised(orderId, trackingNumber);
        return MessageOutcome.Completed;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId}: shipment cancelled by the carrier ({Reason}); the saga was told")]
    private partial void LogCancelRaised(string orderId, string? reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId}: shipment {TrackingNumber} dispatched; the saga was told")]
    private partial void LogRaised(string orderId, string? trackingNumber);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId}: {EventType} arrived but the order has no saga; nothing to do")]
    private partial void LogNoSaga(string orderId, string eventType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId}: {EventType} arrived after the saga ended ({RuntimeStatus}); nothing to do")]
    private partial void LogSagaEnded(string orderId, string eventType, OrchestrationRuntimeStatus runtimeStatus);
}
