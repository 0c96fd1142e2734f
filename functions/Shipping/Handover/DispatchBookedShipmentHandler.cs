using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Shop.Functions.Messaging;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Orders;
using Shop.Functions.Platform;
using Shop.Functions.Shipping.Booking;

namespace Shop.Functions.Shipping.Handover;

/// <summary>
/// <c>dispatch-booked-shipment</c> (carrier-internal): moves the booked shipment to Dispatched and only then publishes
/// ShipmentDispatched under the sequence its ShipOrder carried, dated when it left, with the contact the ShipOrder carried
/// (so its e-mail and webhook need not read the order row). A shipment cancelled first publishes
/// nothing (ShipmentCancelled was the outcome). A redelivery finds it Dispatched and sends the same event again, under
/// the same id, which duplicate detection absorbs; a failed send throws and the pipeline retries.
/// </summary>
public sealed partial class DispatchBookedShipmentHandler(ICarrier carrier, IMessageSender sender, ILogger<DispatchBookedShipmentHandler> logger)
    : IMessageHandler<DispatchBookedShipment>
{
    public IReadOnlyCollection<string> Subjects { get; } = [nameof(DispatchBookedShipment)];

    public JsonTypeInfo<DispatchBookedShipment> TypeInfo => ShopJsonContext.Default.DispatchBookedShipment;

    public async Task<MessageOutcome> HandleAsync(DispatchBookedShipment message, MessageContext context, CancellationToken cancellationToken)
    {
        if (Problem(message) is { } problem)
        {
            return MessageOutcome.Reject(problem);
        }

        var shipment = await carrier.DispatchAsync(message.OrderId, cancellationToken);
        if (shipment is null)
        {
            return MessageOutcome.Reject($"Order '{message.OrderId}' has no shipment to dispatch.");
        }

        if (!shipment.IsDispatched)
        {
            LogCancelledBeforeDispatch(message.OrderId, shipment.TrackingNumber);
            return MessageOutcome.Completed;
        }

        await sender.SendAsync(shipment.ToDispatchedMessage(shipment.DispatchedAt ?? context.EnqueuedTime, message.DispatchSequence, message.Contact), cancellationToken);
        LogPublished(message.OrderId, shipment.TrackingNumber, message.DispatchSequence);
        return MessageOutcome.Completed;
    }

    private static string? Problem(DispatchBookedShipment command)
    {
        if (string.IsNullOrEmpty(command.OrderId))
        {
            return "The command has no orderId.";
        }

        if (!OrderIds.IsWellFormed(command.OrderId))
        {
            return $"'{command.OrderId}' is not an order id.";
        }

        return command.DispatchSequence < 0
            ? "The command's dispatchSequence cannot be negative."
            : ShipOrderValidator.ContactProblem(command.Contact);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId}: shipment {TrackingNumber} was cancelled before dispatch; nothing leaves")]
    private partial void LogCancelledBeforeDispatch(string orderId, string trackingNumber);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId}: shipment {TrackingNumber} dispatched; ShipmentDispatched published at sequence {Sequence}")]
    private partial void LogPublished(string orderId, string trackingNumber, long sequence);
}
