using System.Reflection;
using Shop.Functions.Messaging;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Orders.Events;

namespace Shop.Functions.Tests.Infra;

/// <summary>The Service Bus topology as the code declares it (functions/Messaging/ServiceBusEntities.cs).</summary>
public static class CodeTopology
{
    public static IReadOnlyList<string> QueueNames => Constants(typeof(Queues));

    public static IReadOnlyList<string> TopicNames => Constants(typeof(Topics));

    public static IReadOnlyList<string> SubscriptionNames => Constants(typeof(Subscriptions));

    /// <summary>
    /// The one SQL filter each order-events subscription must have (docs/messaging.md, "Topic subscriptions: the
    /// retryFor filter rule"): retry copies addressed to it by <see cref="RetryProperties.RetryFor"/>, and, for the
    /// subscriptions that take some event types only, those types as the Subject (sys.Label).
    /// </summary>
    public static string ExpectedFilter(string subscription)
    {
        var retry = $"{RetryProperties.RetryFor} IS NULL OR {RetryProperties.RetryFor} = '{subscription}'";
        return EventTypeFilter(subscription) switch
        {
            // StockReplenished is the supplier's, not an order's: only the inventory subscription takes it.
            null => $"({retry}) AND sys.Label <> 'StockReplenished'",
            [var type] => $"({retry}) AND sys.Label = '{type}'",
            var types => $"({retry}) AND ({string.Join(" OR ", types.Select(type => $"sys.Label = '{type}'"))})",
        };
    }

    private static string[]? EventTypeFilter(string subscription) => subscription switch
    {
        Subscriptions.Fulfillment => [OrderEventTypes.ShipmentDispatched, OrderEventTypes.ShipmentCancelled],
        Subscriptions.Catalog => [OrderEventTypes.OrderCompleted],
        Subscriptions.Inventory => ["StockReplenished"],
        // Only the events customers are e-mailed about (issue 14: the others were delivered to be completed unread).
        Subscriptions.Notifications => [.. Shop.Functions.Notifications.CustomerEmails.EventTypes],
        Subscriptions.Webhooks => null,
        _ => throw new ArgumentOutOfRangeException(nameof(subscription), subscription, "Not a subscription of order-events."),
    };

    public static IReadOnlyList<string> Constants(Type type) =>
        type.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToArray();
}
