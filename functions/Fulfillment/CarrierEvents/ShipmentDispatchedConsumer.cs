using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Shop.Functions.Messaging;
using Shop.Functions.Messaging.Consumers;

namespace Shop.Functions.Fulfillment.CarrierEvents;

public sealed class ShipmentDispatchedConsumer(MessagePipeline pipeline, ILogger<ShipmentDispatchedHandler> logger)
{
    [Function(nameof(ShipmentDispatched))]
    public Task ShipmentDispatched(
        [ServiceBusTrigger(Topics.OrderEvents, Subscriptions.Fulfillment, Connection = Connections.ServiceBus)] ServiceBusReceivedMessage message,
        ServiceBusMessageActions actions,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        pipeline.ProcessAsync(
            ConsumerEntity.ForSubscription(Topics.OrderEvents, Subscriptions.Fulfillment),
            message,
            actions,
            new ShipmentDispatchedHandler(client, logger),
            cancellationToken);
}
