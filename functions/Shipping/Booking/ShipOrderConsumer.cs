using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker;
using Shop.Functions.Messaging;
using Shop.Functions.Messaging.Consumers;

namespace Shop.Functions.Shipping.Booking;

public sealed class ShipOrderConsumer(MessagePipeline pipeline, ShipOrderHandler handler)
{
    [Function(nameof(ShipOrder))]
    public Task ShipOrder(
        [ServiceBusTrigger(Queues.ShipOrder, Connection = Connections.ServiceBus)] ServiceBusReceivedMessage message,
        ServiceBusMessageActions actions,
        CancellationToken cancellationToken) =>
        pipeline.ProcessAsync(ConsumerEntity.Queue(Queues.ShipOrder), message, actions, handler, cancellationToken);
}
