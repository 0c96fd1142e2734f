using System.Text.Json.Serialization.Metadata;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Shop.Functions.Fulfillment;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Platform;

namespace Shop.Functions.Inventory.Supplier;

/// <summary>
/// <c>order-events/inventory</c>, StockReplenished: adds the units to the SKU's stock in one ETag-guarded transaction with
/// the replenishment's row, which closes its reorder; a second delivery finds the row and adds nothing. Then it wakes the
/// SKU's backordered orders, oldest first, as many as the stock can serve in turn (<see cref="FulfillmentEvents.StockReplenished"/>
/// to each saga; docs/inventory.md, "Backorders"). The wake-up is repeated by a redelivery, which is harmless: a saga woken
/// for nothing tries its reservation and goes on waiting.
/// </summary>
public sealed partial class StockReplenishedHandler(InventoryStore store, DurableTaskClient client, ILogger<StockReplenishedHandler> logger) : IMessageHandler<StockReplenished>
{
    public IReadOnlyCollection<string> Subjects { get; } = [StockReplenished.EventType];

    public JsonTypeInfo<StockReplenished> TypeInfo => ShopJsonContext.Default.StockReplenished;

    public async Task<MessageOutcome> HandleAsync(StockReplenished message, MessageContext context, CancellationToken cancellationToken)
    {
        if ((StockMessages.Problem(message.Sku, message.ReplenishmentId, message.Quantity) ?? StockMessages.Problem(message.Sku, message.ReorderId, message.Quantity)) is { } problem)
        {
            return MessageOutcome.Reject(problem);
        }

        var added = await store.ReplenishAsync(message.Sku, message.ReplenishmentId, message.ReorderId, message.Quantity, cancellationToken);
        if (added is null)
        {
            return MessageOutcome.Reject($"{message.Sku} has no stock row to replenish.");
        }

        if (added == false)
        {
            LogSeenBefore(message.ReplenishmentId, message.Sku);
        }

        await WakeWaitersAsync(message, cancellationToken);
        return MessageOutcome.Completed;
    }

    /// <summary>
    /// Tells the waiting orders their turn may have come, in arrival order, while the units they need one after another fit
    /// in the stock: the first that does not fit stops it (those behind it may not take its units anyway).
    /// </summary>
    private async Task WakeWaitersAsync(StockReplenished message, CancellationToken cancellationToken)
    {
        var waiters = await store.GetWaitersAsync(message.Sku, cancellationToken);
        if (waiters.Count == 0)
        {
            return;
        }

        var available = await store.GetAvailableAsync(message.Sku, cancellationToken) ?? 0;
        var needed = 0;
        var woken = 0;
        foreach (var waiter in waiters)
        {
            needed += waiter.Quantity;
            if (needed > available)
            {
                break;
            }

            var instance = await client.GetInstanceAsync(waiter.OrderId, cancellationToken);
            if (instance?.RuntimeStatus is not (OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Pending or OrchestrationRuntimeStatus.Suspended))
            {
                LogWaiterWithoutSaga(waiter.OrderId, message.Sku);
                continue;
            }

            await client.RaiseEventAsync(
                waiter.OrderId, FulfillmentEvents.StockReplenished, new StockReplenishedData(message.Sku, message.ReplenishmentId), cancellationToken);
            woken++;
        }

        LogWoken(message.Sku, woken, waiters.Count, available);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Replenishment {ReplenishmentId} of {Sku} was counted before; nothing added")]
    private partial void LogSeenBefore(string replenishmentId, string sku);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Sku} replenished: woke {Woken} of {Waiting} waiting orders ({Available} available)")]
    private partial void LogWoken(string sku, int woken, int waiting, int available);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId} waits for {Sku} but has no running saga; not woken")]
    private partial void LogWaiterWithoutSaga(string orderId, string sku);
}
