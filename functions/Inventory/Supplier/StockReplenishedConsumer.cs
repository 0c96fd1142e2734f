using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Shop.Functions.Messaging;
using Shop.Functions.Messaging.Consumers;

namespace Shop.Functions.Inventory.Supplier;

/// <summary><c>order-events/inventory</c>: a StockReplenished books the units and wakes the SKU's waiting orders.</summary>
public sealed class StockReplenishedConsumer(MessagePipeline pipeline, InventoryStore store, ILogger<StockReplenishedHandler> logger)
{
    [Function(nameof(StockReplenished))]
    public Task StockReplenished(
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
