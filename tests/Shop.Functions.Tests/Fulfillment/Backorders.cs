using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using Shop.Functions.Fulfillment;
using Shop.Functions.Inventory;
using Shop.Functions.Inventory.Supplier;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Orders;
using Shop.Functions.Orders.CancelOrder;
using Shop.Functions.Platform;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Fulfillment;

/// <summary>What the backorder tests share: a saga harness with backorders on, SKUs reset, orders and replenishments.</summary>
internal static class Backorders
{
    /// <summary>Settings of a harness with backorders on; the recheck is long, so only replenishments wake a waiting order.</summary>
    public static Dictionary<string, string?> Settings(string limit = "00:00:30") => new()
    {
        ["Fulfillment:Backorders"] = "true",
        ["Fulfillment:BackorderLimit"] = limit,
        ["Fulfillment:BackorderRecheckInterval"] = "00:01:00",
    };

    /// <summary>
    /// Puts the SKU at <paramref name="available"/> units with nobody waiting, no reorder open and the given reorder point
    /// (0: never reordered), keeping its reorder count so reorder ids are not reused; the conservation check seeds it.
    /// </summary>
    public static async Task ResetSkuAsync(SagaHarness saga, string sku, int available, int reorderPoint = 0, int reorderQuantity = 5)
    {
        var table = saga.Shop.Tables.GetTableClient(StorageTables.Inventory);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {sku} and RowKey ge {InventoryKeys.WaitingRowKeyPrefix} and RowKey lt {InventoryKeys.WaitingRowKeyEnd}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter))
        {
            await table.DeleteEntityAsync(row.PartitionKey, row.RowKey);
        }

        var old = await saga.Shop.Get<InventoryStore>().GetStockAsync(sku, CancellationToken.None);
        await table.UpsertEntityAsync(
            new StockRow
            {
                PartitionKey = sku,
                Available = available,
                ReorderPoint = reorderPoint,
                ReorderQuantity = reorderQuantity,
                ReorderCount = old?.ReorderCount ?? 0,
                WaitingCount = old?.WaitingCount ?? 0,
                UpdatedAt = DateTimeOffset.UtcNow,
            },
            TableUpdateMode.Replace);
        saga.Conservation.Seed(sku, available);
    }

    public static Action<JsonObject> Items(params (string Sku, int Quantity)[] lines) => body =>
    {
        var items = new JsonArray();
        foreach (var (sku, quantity) in lines)
        {
            items.Add(new JsonObject { ["sku"] = sku, ["quantity"] = quantity });
        }

        body["items"] = items;
    };

    /// <summary>The supplier's StockReplenished, delivered to its consumer's handler (which adds the units and wakes the waiters).</summary>
    public static Task<MessageOutcome> ReplenishAsync(SagaHarness saga, string sku, string replenishmentId, int quantity, string? reorderId = null) =>
        new StockReplenishedHandler(saga.Shop.Get<InventoryStore>(), saga.Client, NullLogger<StockReplenishedHandler>.Instance).HandleAsync(
            new StockReplenished(replenishmentId, reorderId ?? replenishmentId, sku, quantity, DateTimeOffset.UtcNow),
            new MessageContext($"StockReplenished:{replenishmentId}", StockReplenished.EventType, reorderId, 1, DateTimeOffset.UtcNow),
            CancellationToken.None);

    public static async Task<StockRow> StockRowAsync(SagaHarness saga, string sku) =>
        (await saga.Shop.Get<InventoryStore>().GetStockAsync(sku, CancellationToken.None))!;

    public static Task<IReadOnlyList<StockWaiter>> WaitersAsync(SagaHarness saga, string sku) =>
        saga.Shop.Get<InventoryStore>().GetWaitersAsync(sku, CancellationToken.None);

    public static async Task<int> CancelAsync(SagaHarness saga, string orderId)
    {
        var request = HttpTest.Request("POST", $"/api/orders/{orderId}/cancel", contentType: null);
        var result = await saga.Shop.Function<CancelOrderFunction>().CancelOrder(request, orderId, saga.Client, CancellationToken.None);
        return (await HttpTest.RunAsync(request, result)).Status;
    }

    /// <summary>The ReorderStock commands the app sent for the SKU.</summary>
    public static IReadOnlyList<ReorderStock> ReordersOf(SagaHarness saga, string sku) =>
        saga.Shop.Sender.Sent
            .Where(m => m.Subject == nameof(ReorderStock))
            .Select(m => JsonSerializer.Deserialize(m.Body.ToString(), ShopJsonContext.Default.ReorderStock)!)
            .Where(r => r.Sku == sku)
            .ToList();
}
