using System.Diagnostics.CodeAnalysis;
using Shop.Functions.Messaging.Consumers;

namespace Shop.Functions.Messaging.DeadLetters;

/// <summary>
/// The entities whose dead letters the API shows and replays: docs/architecture.md's topology, nothing else. In a route a queue is
/// its name (<c>place-order</c>) and a subscription is <c>{topic}~{subscription}</c> (<c>order-events~catalog</c>): '~'
/// cannot occur in a Service Bus entity name and needs no escaping in a URL. Names match ignoring case, as in Service Bus.
/// </summary>
public static class DeadLetterEntities
{
    public const char Separator = '~';

    public static IReadOnlyList<ConsumerEntity> All { get; } =
    [
        ConsumerEntity.Queue(Queues.PlaceOrder),
        ConsumerEntity.Queue(Queues.ShipOrder),
        ConsumerEntity.Queue(Queues.CancelShipment),
        ConsumerEntity.Queue(Queues.DispatchBookedShipment),
        ConsumerEntity.Queue(Queues.SendEmail),
        ConsumerEntity.Queue(Queues.DeliverWebhook),
        ConsumerEntity.Queue(Queues.ReorderStock),
        ConsumerEntity.ForSubscription(Topics.OrderEvents, Subscriptions.Notifications),
        ConsumerEntity.ForSubscription(Topics.OrderEvents, Subscriptions.Webhooks),
        ConsumerEntity.ForSubscription(Topics.OrderEvents, Subscriptions.Fulfillment),
        ConsumerEntity.ForSubscription(Topics.OrderEvents, Subscriptions.Catalog),
        ConsumerEntity.ForSubscription(Topics.OrderEvents, Subscriptions.Inventory),
    ];

    public static string RouteValueOf(ConsumerEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        return entity.Subscription is null ? entity.EntityPath : $"{entity.EntityPath}{Separator}{entity.Subscription}";
    }

    public static bool TryParse(string? routeValue, [NotNullWhen(true)] out ConsumerEntity? entity)
    {
        entity = All.FirstOrDefault(known => string.Equals(RouteValueOf(known), routeValue, StringComparison.OrdinalIgnoreCase));
        return entity is not null;
    }
}
