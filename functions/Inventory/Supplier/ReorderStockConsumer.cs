using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker;
using Shop.Functions.Messaging;
using Shop.Functions.Messaging.Consumers;

namespace Shop.Functions.Inventory.Supplier;

/// <summary><c>reorder-stock</c>: the sandbox supplier acknowledges a reorder and schedules its StockReplenished.</summary>
public sealed class ReorderStockConsumer(MessagePipeline pipeline, SandboxSupplierHandler handler)
{
    [Function(nameof(ReorderStock))]
    public Task ReorderStock(
        [ServiceBusTrigger(Queues.ReorderStock, Connection = Connections.ServiceBus)] ServiceBusReceivedMessage message,
        ServiceBusMessageActions actions,
        CancellationToken cancellationToken) =>
        pipeline.ProcessAsync(ConsumerEntity.Queue(Queues.ReorderStock), message, actions, handler, cancellationToken);
}
