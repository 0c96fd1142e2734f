using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker;
using Shop.Functions.Messaging;
using Shop.Functions.Messaging.Consumers;

namespace Shop.Functions.Shipping.Handover;

public sealed class DispatchBookedShipmentConsumer(MessagePipeline pipeline, DispatchBookedShipmentHandler handler)
{
    [Function(nameof(DispatchBookedShipment))]
    public Task DispatchBookedShipment(
        [ServiceBusTrigger(Queues.DispatchBookedShipment, Connection = Connections.ServiceBus)] ServiceBusReceivedMessage message,
        ServiceBusMessageActions actions,
        CancellationToken cancellationToken) =>
        pipeline.ProcessAsync(ConsumerEntity.Queue(Queues.DispatchBookedShipment), message, actions, handler, cancellationToken);
}
