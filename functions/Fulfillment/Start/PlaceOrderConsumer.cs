using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Shop.Functions.Messaging;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Orders;

namespace Shop.Functions.Fulfillment.Start;

public sealed class PlaceOrderConsumer(MessagePipeline pipeline, OrderStore orders, FulfillmentStarter starter, FulfillmentSteps steps)
{
    [Function(nameof(PlaceOrder))]
    public Task PlaceOrder(
        [ServiceBusTrigger(Queues.PlaceOrder, Connection = Connections.ServiceBus)] ServiceBusReceivedMessage message,
        ServiceBusMessageActions actions,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        pipeline.ProcessAsync(ConsumerEntity.Queue(Queues.PlaceOrder), message, actions, new PlaceOrderHandler(client, orders, starter, steps), cancellationToken);
}
