using Shop.Functions.Messaging;
using Shop.Functions.Platform;

namespace Shop.Functions.Inventory.Supplier;

/// <summary>
/// Command to the supplier (queue <see cref="Queues.ReorderStock"/>): deliver <paramref name="Quantity"/> units of
/// <paramref name="Sku"/>. <paramref name="ReorderId"/> is <c>{sku}-{n}</c>, the SKU's n-th reorder: the message id is
/// derived from it, so every send of one reorder is one message.
/// </summary>
public sealed record ReorderStock(string ReorderId, string Sku, int Quantity, DateTimeOffset RequestedAt)
{
    public OutgoingMessage ToMessage() => OutgoingMessage.Json(Queues.ReorderStock, $"{nameof(ReorderStock)}:{ReorderId}", nameof(ReorderStock), ReorderId, this, ShopJsonContext.Default.ReorderStock);
}

/// <summary>
/// Event (topic <see cref="Topics.OrderEvents"/>, subscription <see cref="Subscriptions.Inventory"/>): the supplier
/// delivered <paramref name="Quantity"/> units of <paramref name="Sku"/> for reorder <paramref name="ReorderId"/>. The
/// units join the stock once per <paramref name="ReplenishmentId"/>.
/// </summary>
public sealed record StockReplenished(string ReplenishmentId, string ReorderId, string Sku, int Quantity, DateTimeOffset DeliveredAt)
{
    public const string EventType = nameof(StockReplenished);

    /// <summary>Held by Service Bus until <paramref name="deliverAt"/>; one message id per replenishment.</summary>
    public OutgoingMessage ToMessage(DateTimeOffset deliverAt) => OutgoingMessage.Json(Topics.OrderEvents, $"{EventType}:{ReplenishmentId}", EventType, ReorderId, this, ShopJsonContext.Default.StockReplenished) with
    {
        ScheduledEnqueueTime = deliverAt,
    };
}
