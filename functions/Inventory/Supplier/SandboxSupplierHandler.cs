using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Shop.Functions.Messaging;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Platform;

namespace Shop.Functions.Inventory.Supplier;

/// <summary>
/// SIMULATED supplier, <c>reorder-stock</c>: acknowledges a ReorderStock and schedules its StockReplenished, with all the
/// units asked for, <see cref="SupplierOptions.LeadTime"/> later. The replenishment id is the reorder id, so a second
/// delivery of the command schedules the same message (duplicate detection absorbs it) and its units count once anyway
/// (<see cref="InventoryStore.ReplenishAsync"/>). A failed send throws and the pipeline retries.
/// </summary>
public sealed partial class SandboxSupplierHandler(IMessageSender sender, IOptions<SupplierOptions> options, TimeProvider time, ILogger<SandboxSupplierHandler> logger)
    : IMessageHandler<ReorderStock>
{
    public IReadOnlyCollection<string> Subjects { get; } = [nameof(ReorderStock)];

    public JsonTypeInfo<ReorderStock> TypeInfo => ShopJsonContext.Default.ReorderStock;

    public async Task<MessageOutcome> HandleAsync(ReorderStock message, MessageContext context, CancellationToken cancellationToken)
    {
        if (StockMessages.Problem(message.Sku, message.ReorderId, message.Quantity) is { } problem)
        {
            return MessageOutcome.Reject(problem);
        }

        var deliverAt = time.GetUtcNow() + options.Value.LeadTime;
        var replenished = new StockReplenished(message.ReorderId, message.ReorderId, message.Sku, message.Quantity, deliverAt);
        await sender.SendAsync(replenished.ToMessage(deliverAt), cancellationToken);
        LogAcknowledged(message.ReorderId, message.Quantity, message.Sku, deliverAt);
        return MessageOutcome.Completed;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sandbox supplier acknowledged reorder {ReorderId}: {Quantity} of {Sku} to be delivered at {DeliverAt}")]
    private partial void LogAcknowledged(string reorderId, int quantity, string sku, DateTimeOffset deliverAt);
}

/// <summary>What a ReorderStock or StockReplenished must hold to be handled at all.</summary>
internal static class StockMessages
{
    public const int MaxQuantity = 1_000_000;

    public static string? Problem(string? sku, string? id, int quantity)
    {
        if (InventoryKeys.PartitionFor(sku) is null)
        {
            return $"'{sku}' is not a SKU.";
        }

        if (!InventoryKeys.IsValidReceiptId(id))
        {
            return "The message's id cannot be used as a table key.";
        }

        return quantity is < 1 or > MaxQuantity ? $"The quantity must be from 1 to {MaxQuantity}." : null;
    }
}
