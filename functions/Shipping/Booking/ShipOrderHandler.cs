using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Shop.Functions.Messaging;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Platform;
using Shop.Functions.Shipping.Handover;

namespace Shop.Functions.Shipping.Booking;

/// <summary>
/// <c>ship-order</c>: books the order's shipment with the carrier, then schedules the carrier's own
/// <see cref="DispatchBookedShipment"/>, due after <see cref="ShippingOptions.DispatchDelay"/>: until it runs, a
/// CancelShipment can still stop the parcel. An order whose shipment was cancelled first (a tombstone: the saga's
/// CancelShipment overtook this command, or this is a dead letter replayed after the order was cancelled) books nothing
/// and schedules nothing. A redelivered command finds the booking and sends the same scheduled message again, under the
/// same id, which duplicate detection absorbs. A failed send throws: the pipeline retries the command later.
/// </summary>
public sealed partial class ShipOrderHandler(
    ICarrier carrier,
    IMessageSender sender,
    IOptions<ShippingOptions> options,
    TimeProvider time,
    ILogger<ShipOrderHandler> logger) : IMessageHandler<ShipOrder>
{
    public IReadOnlyCollection<string> Subjects { get; } = [nameof(ShipOrder)];

    public JsonTypeInfo<ShipOrder> TypeInfo => ShopJsonContext.Default.ShipOrder;

    public async Task<MessageOutcome> HandleAsync(ShipOrder message, MessageContext context, CancellationToken cancellationToken)
    {
        if (ShipOrderValidator.Problem(message) is { } problem)
        {
            return MessageOutcome.Reject(problem);
        }

        var shipment = await carrier.ShipAsync(message, cancellationToken);
        if (shipment.IsCancelled)
        {
            LogCancelledBeforeBooking(message.OrderId);
            return MessageOutcome.Completed;
        }

        // Dispatched already (a redelivery after dispatch): the dispatch handler publishes ShipmentDispatched again.
        var dispatchAt = time.GetUtcNow() + (shipment.IsDispatched ? TimeSpan.Zero : options.Value.DispatchDelay);
        await sender.SendAsync(new DispatchBookedShipment(message.OrderId, message.DispatchSequence, message.Contact).ToMessage(dispatchAt), cancellationToken);
        LogDispatchScheduled(message.OrderId, shipment.TrackingNumber, dispatchAt);
        return MessageOutcome.Completed;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId}: shipment {TrackingNumber} booked; dispatch is due at {DispatchAt}")]
    private partial void LogDispatchScheduled(string orderId, string trackingNumber, DateTimeOffset dispatchAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId}: its shipment was cancelled before this ShipOrder; nothing is booked")]
    private partial void LogCancelledBeforeBooking(string orderId);
}
