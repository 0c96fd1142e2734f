using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.DurableTask.Client;
using Shop.Functions.Catalog.Sales;
using Shop.Functions.Inventory.Supplier;
using Shop.Functions.Orders;
using Shop.Functions.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Shop.Functions.Tests.Reliability.Faults;

/// <summary>
/// The backorder path under the same faults as <see cref="OrderPipelineUnderFaults"/>: more orders for one SKU than it
/// has in stock, so most wait Backordered while the shortage reorders from the sandbox supplier (ReorderStock, its
/// delivery, StockReplenished raised on every waiting saga), all of it while 10% of storage calls, sends and deliveries
/// fail and writes lose their answers below the SDK's retries. Then every order must have completed, each charged once,
/// and money and goods be conserved over whole tables (the supplier's deliveries counted in).
/// </summary>
[Collection(FaultRunStorage.Name)]
[Trait("Category", "Slow")]
public sealed class BackordersUnderFaults(AzuriteFixture azurite, ITestOutputHelper output)
{
    // Its catalog item has the default reorder point (10) and quantity (50); the fault run's other SKUs are not used here.
    private const string Sku = "SKU-034";
    private const int Orders = 12;
    private const int InStock = 3;

    [Fact]
    public async Task CompletesEveryBackorderOnceTheSupplierDeliversGivenTenPercentFaults()
    {
        var chaos = new Chaos(31337);
        await using var run = await FaultRun.StartAsync(
            azurite,
            chaos,
            keepLog: true,
            scarceStock: 0,
            new Dictionary<string, string?> { ["Fulfillment:Backorders"] = "true", ["Fulfillment:BackorderLimit"] = "00:05:00" });
        await run.SetStockAsync(Sku, InStock);
        var plan = Enumerable.Range(0, Orders).Select(i =>
        {
            var body = FaultRun.Body(OrderKind.Happy, "backorder");
            body["items"] = new JsonArray { new JsonObject { ["sku"] = Sku, ["quantity"] = 1 } };
            return new PlannedOrder(i, OrderKind.Happy, string.Create(CultureInfo.InvariantCulture, $"backorder-{i}"), body);
        }).ToList();
        run.StartTimers();
        chaos.Enabled = true;

        await Parallel.ForEachAsync(plan, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (order, _) => await run.SubmitAsync(order));
        await run.WaitForTerminalAsync(plan.Select(o => o.OrderId), TimeSpan.FromSeconds(20));
        chaos.Enabled = false;
        var rows = await run.WaitForTerminalAsync(plan.Select(o => o.OrderId), TimeSpan.FromSeconds(120));
        await run.DrainAsync(TimeSpan.FromSeconds(120), releaseScheduled: true);
        await run.StopTimersAsync();
        var stillOpen = await run.CloseOpenOrdersAsync(TimeSpan.FromSeconds(60));
        var conservation = await run.Pipeline.ConservationAsync(null, run.Receiver);
        output.WriteLine($"faults injected: storage {chaos.StorageFaults} + {chaos.StorageLostResponses} lost answers, sends {chaos.SendFaults}, deliveries {chaos.DeliveryFaults}; lost answers below the SDK: {run.Transport.Injected(TransportFault.LoseResponse)}");
        output.WriteLine(conservation.ToString());

        // Every order was accepted and completed, its saga finished; most of them waited for the supplier first.
        Assert.All(plan, order => Assert.True(order.Accepted, $"Order {order.Index} was not accepted."));
        foreach (var failed in plan.Where(o => rows[o.OrderId].Status != OrderStatuses.Completed))
        {
            output.WriteLine($"order {failed.Index} {failed.OrderId}: {rows[failed.OrderId]}");
            foreach (var log in run.Pipeline.Shop.Logs.Records.Where(r => r.Message.Contains(failed.OrderId, StringComparison.Ordinal)))
            {
                output.WriteLine($"  {log.Category} {log.Level}: {log.Message} {log.Exception?.Message}");
            }
        }

        Assert.All(plan, order => Assert.Equal((order.OrderId, OrderStatuses.Completed), (order.OrderId, rows[order.OrderId].Status)));
        output.WriteLine($"watchdog: {run.Watchdog}");
        Assert.True(stillOpen.Count == 0, $"Open-orders entries left after the drain: {string.Join(", ", stillOpen)}.");
        Assert.Empty(await run.NeedsAttentionAsync());
        foreach (var order in plan)
        {
            var saga = await run.Pipeline.EngineFor(order.OrderId).Client.GetInstanceAsync(order.OrderId);
            Assert.Equal((order.OrderId, OrchestrationRuntimeStatus.Completed), (order.OrderId, saga?.RuntimeStatus));
        }

        var backordered = 0;
        foreach (var order in plan)
        {
            var steps = (await run.Pipeline.OrderAsync(order.OrderId)).Json().GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("name").GetString()).ToList();
            backordered += steps.Contains("Backordered") ? 1 : 0;
        }

        output.WriteLine($"backordered first: {backordered} of {Orders}");
        Assert.InRange(backordered, 1, Orders);
        Assert.Contains(run.Pipeline.Broker.Sent, m => m.Subject == nameof(ReorderStock));
        Assert.Contains(run.Pipeline.Broker.Sent, m => m.Subject == StockReplenished.EventType);
        Assert.Empty(run.Pipeline.Broker.DeadLetters);

        // One capture each, nothing refunded; the catalog counted each sale once; and, over whole tables, stock taken is
        // what was dispatched, with the supplier's deliveries added, and every announcement true.
        var payments = await run.Tables.PaymentKindsAsync();
        Assert.All(plan, order => Assert.Equal(["charge:Captured"], payments.GetValueOrDefault(order.OrderId) ?? []));
        Assert.Equal(Orders, await new CatalogSales(run.Tables).GetUnitsSoldAsync(Sku, CancellationToken.None));
        Assert.Empty(await run.OutboxRowsAsync());
        conservation.AssertHolds();
    }
}
