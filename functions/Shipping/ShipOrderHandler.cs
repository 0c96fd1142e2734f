using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Shop.Functions.Messaging;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Platform;

namespace Shop.Functions.Shipping;

/// <summary>
/// <c>ship-order</c>: books the order's shipment with the carrier, then publishes ShipmentDispatched, due after
/// <see cref="ShippingOptions.DispatchDelay"/>. A redelivered command finds the shipment booked before and sends the
/// same event again, under the same id, which duplicate detection absorbs. A failed send throws: the pipeline retries
/// the command later, and the retry sends the event.
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
        var dispatchAt = time.GetUtcNow() + options.Value.DispatchDelay;
        await sender.SendAsync(shipment.ToDispatchedMessage(dispatchAt, message.DispatchSequence), cancellationToken);
        LogDispatchScheduled(message.OrderId, shipment.TrackingNumber, dispatchAt);
        return MessageOutcome.Completed;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId}: shipment {TrackingNumber} booked; ShipmentDispatched is due at {DispatchAt}")]
    private partial void LogDispatchScheduled(string orderId, string trackingNumber, DateTimeOffset dispatchAt);
}
