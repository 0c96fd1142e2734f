using System.Text.Json.Serialization.Metadata;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Orders;
using Shop.Functions.Orders.Events;
using Shop.Functions.Platform;

namespace Shop.Functions.Fulfillment;

/// <summary>
/// <c>order-events/fulfillment</c>: hands the carrier's ShipmentDispatched to the order's saga (instance id = order
/// id) as the event it waits for. An event for a saga that does not exist or has ended changes nothing: the order
/// is already final (completed by an earlier copy of this event, cancelled, or timed out), so it is completed.
/// </summary>
public sealed partial class ShipmentDispatchedHandler(DurableTaskClient client, ILogger<ShipmentDispatchedHandler> logger)
    : IMessageHandler<OrderEvent>
{
    public IReadOnlyCollection<string> Subjects { get; } = [OrderEventTypes.ShipmentDispatched];

    public JsonTypeInfo<OrderEvent> TypeInfo => ShopJsonContext.Default.OrderEvent;

    public async Task<MessageOutcome> HandleAsync(OrderEvent message, MessageContext context, CancellationToken cancellationToken)
    {
        var orderId = message.Data?.OrderId;
        if (string.IsNullOrEmpty(orderId))
        {
            return MessageOutcome.Reject("The event has no data.orderId.");
        }

        if (!OrderIds.IsWellFormed(orderId))
        {
            return MessageOutcome.Reject($"'{orderId}' is not an order id.");
        }

        var instance = await client.GetInstanceAsync(orderId, cancellationToken);
        if (instance is null)
        {
            LogNoSaga(orderId);
            return MessageOutcome.Completed;
        }

        // Suspended counts as alive: its events wait for it to resume. Dropping this one would time the order out,
        // refunding a shipment that left.
        if (instance.RuntimeStatus is not (OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Pending or OrchestrationRuntimeStatus.Suspended))
        {
            LogSagaEnded(orderId, instance.RuntimeStatus);
            return MessageOutcome.Completed;
        }

        var trackingNumber = message.Data!.TrackingNumber;
        await client.RaiseEventAsync(orderId, FulfillmentEvents.ShipmentDispatched, new ShipmentDispatchedData(trackingNumber), cancellationToken);
        LogRaised(orderId, trackingNumber);
        return MessageOutcome.Completed;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId}: shipment {TrackingNumber} dispatched; the saga was told")]
    private partial void LogRaised(string orderId, string? trackingNumber);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId}: ShipmentDispatched arrived but the order has no saga; nothing to do")]
    private partial void LogNoSaga(string orderId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId}: ShipmentDispatched arrived after the saga ended ({RuntimeStatus}); nothing to do")]
    private partial void LogSagaEnded(string orderId, OrchestrationRuntimeStatus runtimeStatus);
}
