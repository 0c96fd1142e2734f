using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker;
using Shop.Functions.Messaging;
using Shop.Functions.Messaging.Consumers;

namespace Shop.Functions.Shipping.Cancellation;

public sealed class CancelShipmentConsumer(MessagePipeline pipeline, CancelShipmentHandler handler)
{
    [Function(nameof(CancelShipment))]
    public Task CancelShipment(
        [ServiceBusTrigger(Queues.CancelShipment, Connection = Connections.ServiceBus)] ServiceBusReceivedMessage message,
        ServiceBusMessageActions actions,
        CancellationToken cancellationToken) =>
        pipeline.ProcessAsync(ConsumerEntity.Queue(Queues.CancelShipment), message, actions, handler, cancellationToken);
}
