using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker;
using Shop.Functions.Messaging;
using Shop.Functions.Messaging.Consumers;

namespace Shop.Functions.Webhooks.FanOut;

public sealed class FanOutWebhooksConsumer(MessagePipeline pipeline, FanOutWebhooksHandler handler)
{
    private static readonly ConsumerEntity Entity = ConsumerEntity.ForSubscription(Topics.OrderEvents, Subscriptions.Webhooks);

    [Function(nameof(FanOutWebhooks))]
    public Task FanOutWebhooks(
        [ServiceBusTrigger(Topics.OrderEvents, Subscriptions.Webhooks, Connection = Connections.ServiceBus)] ServiceBusReceivedMessage message,
        ServiceBusMessageActions actions,
        CancellationToken cancellationToken) =>
        pipeline.ProcessAsync(Entity, message, actions, handler, cancellationToken);
}
