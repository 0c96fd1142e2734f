using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker;
using Shop.Functions.Messaging;
using Shop.Functions.Messaging.Consumers;

namespace Shop.Functions.Catalog.Sales;

public sealed class OrderCompletedConsumer(MessagePipeline pipeline, OrderCompletedHandler handler)
{
    private static readonly ConsumerEntity Entity = ConsumerEntity.ForSubscription(Topics.OrderEvents, Subscriptions.Catalog);

    [Function(nameof(OrderCompleted))]
    public Task OrderCompleted(
        [ServiceBusTrigger(Topics.OrderEvents, Subscriptions.Catalog, Connection = Connections.ServiceBus)] ServiceBusReceivedMessage message,
        ServiceBusMessageActions actions,
        CancellationToken cancellationToken) =>
        pipeline.ProcessAsync(Entity, message, actions, handler, cancellationToken);
}
