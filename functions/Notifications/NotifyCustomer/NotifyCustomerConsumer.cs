using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker;
using Shop.Functions.Messaging;
using Shop.Functions.Messaging.Consumers;

namespace Shop.Functions.Notifications.NotifyCustomer;

public sealed class NotifyCustomerConsumer(MessagePipeline pipeline, NotifyCustomerHandler handler)
{
    private static readonly ConsumerEntity Entity = ConsumerEntity.ForSubscription(Topics.OrderEvents, Subscriptions.Notifications);

    [Function(nameof(NotifyCustomer))]
    public Task NotifyCustomer(
        [ServiceBusTrigger(Topics.OrderEvents, Subscriptions.Notifications, Connection = Connections.ServiceBus)] ServiceBusReceivedMessage message,
        ServiceBusMessageActions actions,
        CancellationToken cancellationToken) =>
        pipeline.ProcessAsync(Entity, message, actions, handler, cancellationToken);
}
