using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Shop.Functions.Messaging;
using Shop.Functions.Messaging.Consumers;

namespace Shop.Functions.Inventory.Supplier;

public sealed class ReorderStockConsumer(MessagePipeline pipeline, SandboxSupplierHandler handler)
{
    [Function(nameof(AcknowledgeReorder))]
    public Task AcknowledgeReorder(
        [ServiceBusTrigger(Queues.ReorderStock, Connection = Connections.ServiceBus)] ServiceBusReceivedMessage message,
        ServiceBusMessageActions actions,
        CancellationToken cancellationToken) =>
        pipeline.ProcessAsync(ConsumerEntity.Queue(Queues.ReorderStock), message, actions, handler, cancellationToken);
}

public sealed class StockReplenishedConsumer(MessagePipeline pipeline, InventoryStore store, ILogger<StockReplenishedHandler> logger)
{
    [Function(nameof(ReceiveReplenishment))]
    public Task ReceiveReplenishment(
        [ServiceBusTrigger(Topics.OrderEvents, Subscriptions.Inventory, Connection = Connections.ServiceBus)] ServiceBusReceivedMessage message,
        ServiceBusMessageActions actions,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        pipeline.ProcessAsync(
            ConsumerEntity.ForSubscription(Topics.OrderEvents, Subscriptions.Inventory),
            message,
            actions,
            new StockReplenishedHandler(store, client, logger),
            cancellationToken);
}
