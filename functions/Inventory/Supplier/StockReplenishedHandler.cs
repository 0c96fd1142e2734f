using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Platform;

namespace Shop.Functions.Inventory.Supplier;

/// <summary>
/// <c>order-events/inventory</c>, StockReplenished: adds the units to the SKU's stock in one ETag-guarded transaction with
/// the replenishment's row, which closes its reorder; a second delivery finds the row and adds nothing.
/// </summary>
public sealed partial class StockReplenishedHandler(InventoryStore store, ILogger<StockReplenishedHandler> logger) : IMessageHandler<StockReplenished>
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

        return MessageOutcome.Completed;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Replenishment {ReplenishmentId} of {Sku} was counted before; nothing added")]
    private partial void LogSeenBefore(string replenishmentId, string sku);
}
