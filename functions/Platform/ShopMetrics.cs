using System.Diagnostics;
using System.Diagnostics.Metrics;
using Shop.Functions.Orders;
using Shop.Functions.Orders.Events;

namespace Shop.Functions.Platform;

/// <summary>
/// Every metric the app emits, on one <see cref="Meter"/> (<see cref="MeterName"/>) that the OpenTelemetry setup
/// (<see cref="Telemetry"/>) exports. The names are contracts: the alerts in infra/ query them.
/// Static, like an ActivitySource: recording is one call where the fact happens, with nothing to inject.
/// </summary>
public static class ShopMetrics
{
    public const string MeterName = "Shop";

    public const string OrdersAcceptedName = "shop.orders.accepted";
    public const string OrdersCompletedName = "shop.orders.completed";
    public const string OrdersFailedName = "shop.orders.failed";
    public const string OrdersCancelledName = "shop.orders.cancelled";

    /// <summary>Orders the saga gave up on (<c>OrderStatuses.NeedsAttention</c>), by reason: alerted on.</summary>
    public const string OrdersNeedingAttentionName = "shop.orders.needs_attention";
    public const string MessagesDeadLetteredName = "shop.messages.dead_lettered";
    public const string WebhookDeliveriesName = "shop.webhooks.deliveries";
    public const string WebhookDeliveryDurationName = "shop.webhooks.delivery.duration";
    public const string OutboxBacklogAgeName = "shop.outbox.backlog.age";

    /// <summary>The status a saga sets when it cannot repair an order (issue 13; <c>OrderStatuses.NeedsAttention</c>).</summary>
    private const string NeedsAttentionStatus = Orders.OrderStatuses.NeedsAttention;

    private static readonly Meter Meter = new(MeterName, "1.0.0");

    private static readonly Counter<long> OrdersAccepted = Meter.CreateCounter<long>(OrdersAcceptedName, "{order}", "Orders the saga accepted (OrderAccepted recorded).");
    private static readonly Counter<long> OrdersCompleted = Meter.CreateCounter<long>(OrdersCompletedName, "{order}", "Orders completed.");
    private static readonly Counter<long> OrdersFailed = Meter.CreateCounter<long>(OrdersFailedName, "{order}", "Orders failed, by reason.");
    private static readonly Counter<long> OrdersCancelled = Meter.CreateCounter<long>(OrdersCancelledName, "{order}", "Orders cancelled.");
    private static readonly Counter<long> OrdersNeedingAttention = Meter.CreateCounter<long>(OrdersNeedingAttentionName, "{order}", "Orders put in NeedsAttention, by reason.");
    private static readonly Counter<long> MessagesDeadLettered = Meter.CreateCounter<long>(MessagesDeadLetteredName, "{message}", "Messages dead-lettered by the consumer pipeline, by entity and reason.");
    private static readonly Counter<long> WebhookDeliveries = Meter.CreateCounter<long>(WebhookDeliveriesName, "{delivery}", "Webhook posts (with their quick retries), by outcome.");
    private static readonly Histogram<double> WebhookDeliveryDuration = Meter.CreateHistogram<double>(WebhookDeliveryDurationName, "s", "Time of a webhook post with its quick retries, by outcome.");
    private static readonly Gauge<double> OutboxBacklogAge = Meter.CreateGauge<double>(OutboxBacklogAgeName, "s", "Age of the oldest outbox row not yet sent (0: empty), measured each sweep.");

    /// <summary>One recorded change of an order (<see cref="OrderProgress"/>): counts the ones that end or accept it.</summary>
    public static void OrderChanged(string eventType, string status, string? reason)
    {
        var tags = new TagList { { "reason", reason ?? "none" } };
        switch (eventType)
        {
            case OrderEventTypes.OrderAccepted:
                OrdersAccepted.Add(1);
                return;
            case OrderEventTypes.OrderCompleted:
                OrdersCompleted.Add(1);
                return;
            case OrderEventTypes.OrderFailed:
                OrdersFailed.Add(1, tags);
                return;
            case OrderEventTypes.OrderCancelled:
                OrdersCancelled.Add(1);
                return;
        }

        if (status == NeedsAttentionStatus)
        {
            OrdersNeedingAttention.Add(1, tags);
        }
    }

    public static void MessageDeadLettered(string entity, string reason) =>
        MessagesDeadLettered.Add(1, new TagList { { "entity", entity }, { "reason", reason } });

    public static void WebhookDelivered(string outcome, TimeSpan duration)
    {
        var tags = new TagList { { "outcome", outcome } };
        WebhookDeliveries.Add(1, tags);
        WebhookDeliveryDuration.Record(duration.TotalSeconds, tags);
    }

    public static void OutboxBacklog(TimeSpan oldestAge) => OutboxBacklogAge.Record(Math.Max(0, oldestAge.TotalSeconds));
}
