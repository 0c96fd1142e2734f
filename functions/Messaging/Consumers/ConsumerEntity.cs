namespace Shop.Functions.Messaging.Consumers;

/// <summary>
/// Where a message was received: a queue, or a topic subscription. Retry copies go to <see cref="EntityPath"/>
/// (the queue, or the topic: Service Bus cannot send to one subscription, see <see cref="RetryProperties.RetryFor"/>).
/// </summary>
public sealed record ConsumerEntity(string EntityPath, string? Subscription = null)
{
    public static ConsumerEntity Queue(string queue)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(queue);
        return new ConsumerEntity(queue);
    }

    public static ConsumerEntity ForSubscription(string topic, string subscription)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        ArgumentException.ThrowIfNullOrWhiteSpace(subscription);
        return new ConsumerEntity(topic, subscription);
    }

    /// <summary>Service Bus's own path: <c>place-order</c>, or <c>order-events/subscriptions/notifications</c>.</summary>
    public override string ToString() =>
        Subscription is null ? EntityPath : $"{EntityPath}/subscriptions/{Subscription}";
}
