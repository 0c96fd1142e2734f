using System.Text.Json.Serialization.Metadata;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Orders;
using Shop.Functions.Orders.Events;
using Shop.Functions.Platform;

namespace Shop.Functions.Catalog.Sales;

/// <summary>
/// <c>order-events</c>/<c>catalog</c>: counts a completed order's items into the units sold per SKU, once per order
/// however often the event arrives. An event without items (or with items that cannot be counted) can never succeed,
/// so it is rejected.
/// </summary>
public sealed class OrderCompletedHandler(SalesRecorder recorder) : IMessageHandler<OrderEvent>
{
    public IReadOnlyCollection<string> Subjects { get; } = [OrderEventTypes.OrderCompleted];

    public JsonTypeInfo<OrderEvent> TypeInfo => ShopJsonContext.Default.OrderEvent;

    public async Task<MessageOutcome> HandleAsync(OrderEvent message, MessageContext context, CancellationToken cancellationToken)
    {
        // Only ids the app made: anything else did not come from a completed order, and must not count as a sale.
        if (OrderEventCheck.Problem(message, context) is { } invalid)
        {
            return MessageOutcome.Reject(invalid);
        }

        var data = message.Data!;
        if (!SaleLine.TryMerge(data.Items, out var lines, out var problem))
        {
            return MessageOutcome.Reject(problem);
        }

        await recorder.RecordAsync(data.OrderId, lines, cancellationToken);
        return MessageOutcome.Completed;
    }
}
