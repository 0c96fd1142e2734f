using System.Text.Json.Nodes;
using Shop.Functions.Inventory;
using Shop.Functions.Inventory.Supplier;
using Shop.Functions.Orders;
using Shop.Functions.Platform;
using Shop.Functions.Tests.EndToEnd.Harness;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Tests.Orders;
using Xunit;

namespace Shop.Functions.Tests.EndToEnd;

/// <summary>
/// Reordering through the whole app (<see cref="ShopPipeline"/>): an order takes SKU-034 below its reorder point, the
/// ReorderStock command goes to the sandbox supplier once, its StockReplenished (after Supplier:LeadTime, 1 s here) adds
/// the units once and closes the reorder; a goods receipt adds its units once; a backordered order waits for the
/// supplier's replenishment and completes; goods are conserved. Also with every message delivered twice.
/// </summary>
[Collection(AzuriteCollection.Name)]
[Trait("Category", "Slow")]
public sealed class ReorderEndToEnd(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string Sku = "SKU-034"; // no other test uses it; its catalog item has the default reorder point (10) and quantity (50)
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private ShopPipeline? _pipeline;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_pipeline is not null)
        {
            await _pipeline.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ReordersOnceAndAddsTheReplenishmentOnceGivenAnOrderThatCrossesTheReorderPoint(bool deliverTwice)
    {
        var shop = _pipeline = await ShopPipeline.StartAsync(azurite.ConnectionString, new BrokerOptions { DeliverTwice = deliverTwice });
        var reorderId = await ResetStockAsync(shop, 12);

        var first = await SubmitAsync(shop, quantity: 3);
        Assert.Equal(OrderStatuses.Completed, await FinishedStatusAsync(shop, first));
        await shop.Broker.WhenIdleAsync(Patience);

        var reorder = Assert.Single(shop.Broker.Sent, m => m.Subject == nameof(ReorderStock) && m.CorrelationId.StartsWith(Sku + "-", StringComparison.Ordinal));
        Assert.Equal($"ReorderStock:{reorderId}", reorder.MessageId);
        Assert.Single(shop.Broker.Sent, m => m.Subject == StockReplenished.EventType && m.CorrelationId == reorderId);
        var stock = (await shop.Shop.Get<InventoryStore>().GetStockAsync(Sku, CancellationToken.None))!;
        Assert.Equal((12 - 3 + 50, null), (stock.Available, stock.OpenReorderId));

        // Above the reorder point again: the next order opens nothing; a goods receipt counts once however often it is sent.
        var second = await SubmitAsync(shop, quantity: 2);
        Assert.Equal(OrderStatuses.Completed, await FinishedStatusAsync(shop, second));
        for (var i = 0; i < 2; i++)
        {
            var receipt = await shop.HttpAsync("ReceiveStock", "POST", $"/api/ops/stock/{Sku}/receipts", new Dictionary<string, string> { ["sku"] = Sku },
                $$"""{ "receiptId": "E2E-{{reorderId}}-{{deliverTwice}}", "quantity": 5 }""");
            Assert.Equal(i == 0 ? 201 : 200, receipt.Status);
        }

        await shop.AssertConservedAsync();
        Assert.Single(shop.Broker.Sent, m => m.Subject == nameof(ReorderStock) && m.CorrelationId.StartsWith(Sku + "-", StringComparison.Ordinal));
        Assert.Equal(12 - 3 + 50 - 2 + 5, await shop.Shop.Tables.StockAsync(Sku));
        Assert.Empty(shop.Broker.DeadLetters);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CompletesABackorderedOrderAfterTheSuppliersReplenishment(bool deliverTwice)
    {
        var shop = _pipeline = await ShopPipeline.StartAsync(
            azurite.ConnectionString,
            new BrokerOptions { DeliverTwice = deliverTwice },
            new Dictionary<string, string?> { ["Fulfillment:Backorders"] = "true", ["Fulfillment:BackorderLimit"] = "00:01:00" });
        var reorderId = await ResetStockAsync(shop, 2);

        // 5 wanted, 2 in stock: the order waits, the shortage reorders 50 + the 3 missing, the supplier delivers after 1 s.
        var orderId = await SubmitAsync(shop, quantity: 5);
        Assert.Equal(OrderStatuses.Completed, await FinishedStatusAsync(shop, orderId));
        await shop.Broker.WhenIdleAsync(Patience);

        var steps = (await shop.OrderAsync(orderId)).Json().GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("name").GetString()).ToList();
        Assert.Equal(["Submitted", "OrderAccepted", "Backordered", "StockReserved", "PaymentCaptured", "ShipmentRequested", "OrderCompleted"], steps);
        Assert.Single(shop.Broker.Sent, m => m.Subject == nameof(ReorderStock) && m.CorrelationId == reorderId);
        Assert.Single(shop.Broker.Sent, m => m.Subject == StockReplenished.EventType && m.CorrelationId == reorderId);
        Assert.Single(shop.Broker.Sent, m => m.Subject == "Backordered" && m.MessageId.Contains(orderId, StringComparison.Ordinal));
        Assert.Contains(shop.Broker.Sent, m => m.MessageId == $"SendEmail:{orderId}:Backordered");
        var stock = (await shop.Shop.Get<InventoryStore>().GetStockAsync(Sku, CancellationToken.None))!;
        Assert.Equal((2 + 53 - 5, 0, null), (stock.Available, stock.WaitingQuantity, stock.OpenReorderId));
        await shop.AssertConservedAsync();
        Assert.Empty(shop.Broker.DeadLetters);
    }

    /// <summary>Puts the SKU's stock at <paramref name="available"/> with no reorder open; returns the id its next reorder gets.</summary>
    private static async Task<string> ResetStockAsync(ShopPipeline shop, int available)
    {
        var table = shop.Shop.Tables.GetTableClient(StorageTables.Inventory);
        var stock = await shop.Shop.Get<InventoryStore>().GetStockAsync(Sku, CancellationToken.None) ?? new StockRow { PartitionKey = Sku };
        stock.Available = available;
        stock.OpenReorderId = null;
        stock.WaitingQuantity = 0;
        await table.UpsertEntityAsync(stock, Azure.Data.Tables.TableUpdateMode.Replace);
        shop.Conservation.Seed(Sku, available);
        return $"{Sku}-{stock.ReorderCount + 1}";
    }

    private static async Task<string> SubmitAsync(ShopPipeline shop, int quantity)
    {
        var body = OrderRequests.Valid();
        body["items"] = new JsonArray { new JsonObject { ["sku"] = Sku, ["quantity"] = quantity } };
        var response = await shop.SubmitAsync(body);
        Assert.Equal(202, response.Status);
        return response.Json().GetProperty("orderId").GetString()!;
    }

    private static async Task<string?> FinishedStatusAsync(ShopPipeline shop, string orderId)
    {
        Assert.Equal(303, (await shop.PollUntilFinishedAsync(orderId, Patience)).Status);
        return (await shop.OrderAsync(orderId)).Json().GetProperty("status").GetString();
    }
}
