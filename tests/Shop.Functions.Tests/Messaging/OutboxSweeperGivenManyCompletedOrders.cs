using System.Diagnostics;
using Azure;
using Azure.Data.Tables;
using Shop.Functions.Messaging;
using Shop.Functions.Orders;
using Shop.Functions.Platform;
using Shop.Functions.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Shop.Functions.Tests.Messaging;

/// <summary>
/// Issue 14: a sweep costs what is pending, not what was ever taken. The same sweep (a few pending outbox rows) against
/// an Orders table without completed orders and against one with <see cref="CompletedOrders"/> makes the same round
/// trips, and none of them reads Orders without naming a partition. A private on-disk Azurite, so the seeded rows burden
/// no other test, and so that they can be written into its database file: see
/// <see cref="AzuriteServer.AddTableRowCopiesAsync"/> for why not through the API.
/// </summary>
[Collection(AzuriteCollection.Name)]
[Trait("Category", "Slow")]
public sealed class OutboxSweeperGivenManyCompletedOrders(AzuriteFixture azurite, ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>The figure: one real order's row, completed, and 99,999 copies of it.</summary>
    private const int CompletedOrders = 100_000;

    private const int Pending = 3;

    private const string SeedKeyPrefix = "ord_seed";

    private readonly StorageRequestLog _log = new();
    private AzuriteServer _server = null!;
    private ShopTestServices _shop = null!;

    public async Task InitializeAsync()
    {
        _server = await AzuriteServer.StartOnDiskAsync(azurite.AzuriteDirectory);
        _shop = await ShopTestServices.StartAsync(
            _server.ConnectionString,
            new Dictionary<string, string?> { ["Outbox:SweepAge"] = "00:00:00", ["Outbox:LegacyScanInterval"] = "00:00:00" },
            _log.Install);
    }

    public async Task DisposeAsync()
    {
        await _shop.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task MakesTheSameRoundTripsGivenNoCompletedOrdersOrAHundredThousand()
    {
        var empty = await SweepPendingAsync("before");

        var seeding = Stopwatch.StartNew();
        await SeedCompletedOrdersAsync();
        output.WriteLine($"Seeded {CompletedOrders:N0} completed orders in {seeding.Elapsed.TotalSeconds:F1} s");
        var full = await SweepPendingAsync("after");

        output.WriteLine($"Round trips of one sweep: {empty.Count} with 0 completed orders, {full.Count} with {CompletedOrders:N0}");
        foreach (var request in full)
        {
            output.WriteLine($"  {request}");
        }

        Assert.Equal(empty.Count, full.Count);
        // As a multiset: the sweeper handles pointers concurrently, so their requests interleave in any order.
        Assert.Equal(empty.Select(Shape).Order(StringComparer.Ordinal), full.Select(Shape).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(full, request => request.ScansAcrossPartitions(StorageTables.Orders));
    }

    /// <summary>Writes <see cref="Pending"/> orders whose PlaceOrder did not go out (the broker was down), sweeps once, and returns the sweep's requests.</summary>
    private async Task<List<LoggedRequest>> SweepPendingAsync(string label)
    {
        _shop.Sender.FailWith = new InvalidOperationException("Service Bus is down");
        var orderIds = new List<string>();
        for (var i = 0; i < Pending; i++)
        {
            orderIds.Add(await Orders.OrderReads.SubmitAsync(_shop));
        }

        await _shop.Get<OutboxRelay>().DrainAsync();
        _shop.Sender.FailWith = null;
        _log.Clear();

        var sent = await _shop.Get<OutboxSweeper>().SweepAsync(CancellationToken.None);

        var requests = _log.Requests.ToList();
        Assert.True(sent == Pending, $"{label}: the sweep sent {sent} messages, not {Pending}");
        Assert.All(orderIds, orderId => Assert.Single(_shop.Sender.SentFor(orderId)));
        return requests;
    }

    /// <summary>
    /// One order submitted and moved on as the saga leaves a completed one (its row only: its outbox work is done), then
    /// 99,999 copies of its row under keys of their own, written into Azurite's file while it is stopped. Azurite is
    /// started again on that file, and the rows are counted and some read through the API before the test goes on.
    /// </summary>
    private async Task SeedCompletedOrdersAsync()
    {
        var template = await Orders.OrderReads.SubmitAsync(_shop);
        await _shop.Get<OutboxRelay>().DrainAsync();
        var completedAt = DateTimeOffset.UtcNow.AddDays(-30);
        await _shop.OrdersTable.UpdateEntityAsync(
            new TableEntity(template, OrderRow.OrderRowKey)
            {
                ["Status"] = OrderStatuses.Completed,
                ["Step"] = OrderStatuses.Completed,
                ["PaymentToken"] = string.Empty,
                ["ChargeId"] = "ch_seed",
                ["TrackingNumber"] = "TRK-SEED",
                ["CreatedAt"] = completedAt,
                ["UpdatedAt"] = completedAt,
            },
            ETag.All,
            TableUpdateMode.Merge);
        var before = await CountOrdersAsync();

        await _server.StopSavingAsync();
        var inFile = await _server.AddTableRowCopiesAsync(StorageTables.Orders, template, SeedKeyPrefix, CompletedOrders - 1);
        await _server.RestartAsync();

        Assert.Equal(before + CompletedOrders - 1, inFile);
        Assert.Equal(inFile, await CountOrdersAsync());
        foreach (var copy in new[] { 0, 1, CompletedOrders / 2, CompletedOrders - 2 })
        {
            var key = $"{SeedKeyPrefix}{copy:D7}";
            var row = (await _shop.OrdersTable.GetEntityAsync<OrderRow>(key, OrderRow.OrderRowKey)).Value;
            Assert.Equal(OrderStatuses.Completed, row.Status);
            Assert.Equal(key, row.PartitionKey);
        }
    }

    private async Task<int> CountOrdersAsync()
    {
        var count = 0;
        await foreach (var _ in _shop.OrdersTable.QueryAsync<TableEntity>(select: ["PartitionKey"], maxPerPage: 1_000))
        {
            count++;
        }

        return count;
    }

    /// <summary>A request without its keys: the same sweep over other orders has the same shape.</summary>
    private static string Shape(LoggedRequest request) => $"{request.Request.Method} {string.Join(',', request.Request.Tables)} {request.Request.IsBatch}";
}
