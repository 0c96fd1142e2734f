using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Shop.Functions.Messaging;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Orders;
using Shop.Functions.Platform;

namespace Shop.Functions.Shipping.Cancellation;

/// <summary>
/// <c>cancel-shipment</c>: asks the carrier to cancel the order's shipment. Cancelled (now, before, or as a tombstone
/// ahead of the booking): publishes ShipmentCancelled under the sequence number the saga set aside when it asked (the
/// command's; the booking's for a command without one), the same id and body on every send, so a redelivered command, or one whose first send failed, has one effect. Dispatched already: publishes
/// nothing new (ShipmentDispatched is, or will be, on its way) and completes.
/// </summary>
public sealed partial class CancelShipmentHandler(ICarrier carrier, IMessageSender sender, ILogger<CancelShipmentHandler> logger)
    : IMessageHandler<CancelShipment>
{
    public IReadOnlyCollection<string> Subjects { get; } = [nameof(CancelShipment)];

    public JsonTypeInfo<CancelShipment> TypeInfo => ShopJsonContext.Default.CancelShipment;

    public async Task<MessageOutcome> HandleAsync(CancelShipment message, MessageContext context, CancellationToken cancellationToken)
    {
        if (Problem(message) is { } problem)
        {
            return MessageOutcome.Reject(problem);
        }

        var shipment = await carrier.CancelAsync(message, cancellationToken);
        if (!shipment.IsCancelled)
        {
            LogAlreadyDispatched(message.OrderId, shipment.TrackingNumber);
            return MessageOutcome.Completed;
        }

        // The answer comes after the question: the saga reserved this number when it recorded ShipmentCancellationRequested.
        var sequence = message.DispatchSequence > 0 ? message.DispatchSequence : shipment.DispatchSequence;
        var cancelled = shipment.ToCancelledMessage(shipment.CancelledAt ?? context.EnqueuedTime, sequence);
        await sender.SendAsync(cancelled, cancellationToken);
        LogPublished(message.OrderId, sequence);
        return MessageOutcome.Completed;
    }

    /// <summary>Why the command can never be honoured, or null.</summary>
    public static string? Problem(CancelShipment command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (string.IsNullOrEmpty(command.OrderId))
        {
            return "The command has no orderId.";
        }

        if (!OrderIds.IsWellFormed(command.OrderId))
        {
            return $"'{command.OrderId}' is not an order id.";
        }

        if (command.DispatchSequence < 0)
        {
            return "The command's dispatchSequence cannot be negative.";
        }

        return command.Reason?.Length > CancelShipment.MaxReasonLength
            ? $"The reason is at most {CancelShipment.MaxReasonLength} characters."
            : null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId}: shipment {TrackingNumber} was dispatched before the cancel; nothing to cancel")]
    private partial void LogAlreadyDispatched(string orderId, string trackingNumber);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId}: shipment cancelled; ShipmentCancelled published at sequence {Sequence}")]
    private partial void LogPublished(string orderId, long sequence);
}
