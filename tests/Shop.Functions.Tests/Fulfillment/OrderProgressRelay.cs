using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Shop.Functions.Fulfillment;
using Shop.Functions.Messaging;
using Shop.Functions.Orders;
using Shop.Functions.Orders.Events;
using Shop.Functions.Platform;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Tests.Orders;
using Xunit;

namespace Shop.Functions.Tests.Fulfillment;

/// <summary>
/// Issue 14: a saga step's transaction is not preceded by an outbox pointer. Its rows are sent right after it; a pointer is
/// written only for rows whose send failed; rows that could get neither stay in the order's partition, and the step's
/// next run sends them (the open-orders watchdog is the net after that: OpenOrdersWatchdogRun).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class OrderProgressRelay(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly StorageRequestLog _log = new();
    private ShopTestServices _shop = null!;

    public async Task InitializeAsync() => _shop = await ShopTestServices.StartAsync(
        azurite.ConnectionString, new Dictionary<string, string?> { ["Outbox:SweepAge"] = "00:00:00" }, _log.Install);

    public async Task DisposeAsync()
    {
        await _shop.Tables.CreateTableIfNotExistsAsync(StorageTables.OutboxIndex);
        await _shop.DisposeAsync();
    }

    [Fact]
    public async Task WritesNoPointerGivenTheBrokerTakesTheEvent()
    {
        var orderId = await AcceptedOrderAsync();
        _log.Clear();

        await RecordStockReservedAsync(orderId);
        await _shop.Get<OutboxRelay>().DrainAsync();

        Assert.Single(StockReservedSent(orderId));
        Assert.DoesNotContain(_log.Requests, request => request.Request.Touches(StorageTables.OutboxIndex));
        Assert.Empty(await PendingMessages.ForOrderAsync(_shop.Tables, orderId));
    }

    [Fact]
    public async Task PointsAtTheRowsForTheSweeperGivenTheBrokerDown()
    {
        var orderId = await AcceptedOrderAsync();
        _shop.Sender.FailWith = new InvalidOperationException("Service Bus is down");

        await RecordStockReservedAsync(orderId);
        await _shop.Get<OutboxRelay>().DrainAsync();

        Assert.Single(await PendingMessages.ForOrderAsync(_shop.Tables, orderId));
        Assert.Single(await PointersForAsync(orderId));
        _shop.Sender.FailWith = null;
        await _shop.Get<OutboxSweeper>().SweepAsync(CancellationToken.None);
        await _shop.Get<OutboxRelay>().DrainAsync();

        Assert.Single(StockReservedSent(orderId));
        Assert.Empty(await PendingMessages.ForOrderAsync(_shop.Tables, orderId));
        Assert.Empty(await PointersForAsync(orderId));
    }

    [Fact]
    public async Task SendsWhatItsFirstRunLeftGivenTheStepRunsAgain()
    {
        var orderId = await AcceptedOrderAsync();
        _shop.Sender.FailWith = new InvalidOperationException("Service Bus is down");
        await _shop.Tables.DeleteTableAsync(StorageTables.OutboxIndex);

        var first = await RecordStockReservedAsync(orderId);
        // The pointer is tried again, with the send, for about 15 s before the rows are left in the partition.
        await _shop.Get<OutboxRelay>().DrainAsync();
        await _shop.Tables.CreateTableIfNotExistsAsync(StorageTables.OutboxIndex);

        Assert.True(first.Applied);
        Assert.Empty(StockReservedSent(orderId));
        Assert.Single(await PendingMessages.ForOrderAsync(_shop.Tables, orderId));
        Assert.Contains(_shop.Logs.Records, log => log.Level == LogLevel.Error
            && log.Message.Contains(orderId, StringComparison.Ordinal) && log.Message.Contains("could neither be sent nor written", StringComparison.Ordinal));

        _shop.Sender.FailWith = null;
        var again = await RecordStockReservedAsync(orderId);
        await _shop.Get<OutboxRelay>().DrainAsync();

        // The second run finds its step recorded and relays what the first left: sent, or (the outage opened the
        // destination's circuit for 30 s) in the outbox index for the sweeper; no longer a row nothing points at.
        Assert.False(again.Applied);
        Assert.True(
            StockReservedSent(orderId).Any() || (await PointersForAsync(orderId)).Count == 1,
            "The re-run neither sent the row its first run left nor pointed at it.");
        await _shop.Get<OutboxSweeper>().SweepAsync(CancellationToken.None);
        await _shop.Get<OutboxRelay>().DrainAsync();

        Assert.Single(StockReservedSent(orderId));
        Assert.Empty(await PendingMessages.ForOrderAsync(_shop.Tables, orderId));
        Assert.Empty(await PointersForAsync(orderId));
        Assert.Equal(1, (await OrderRows.ReadAsync(_shop, orderId)).GetSteps().Count(step => step.Name == OrderEventTypes.StockReserved));
    }

    /// <summary>An order the PlaceOrder consumer has accepted, its messages sent.</summary>
    private async Task<string> AcceptedOrderAsync()
    {
        var orderId = await OrderReads.SubmitAsync(_shop);
        await _shop.Get<OrderProgress>().RecordAsync(orderId, new OrderChange(OrderEventTypes.OrderAccepted, OrderStatuses.Processing), CancellationToken.None);
        await _shop.Get<OutboxRelay>().DrainAsync();
        Assert.Empty(await PendingMessages.ForOrderAsync(_shop.Tables, orderId));
        return orderId;
    }

    private IEnumerable<OutgoingMessage> StockReservedSent(string orderId) =>
        _shop.Sender.SentFor(orderId).Where(message => message.Subject == OrderEventTypes.StockReserved);

    private Task<OrderChangeResult> RecordStockReservedAsync(string orderId) =>
        _shop.Get<OrderProgress>().RecordAsync(orderId, new OrderChange(OrderEventTypes.StockReserved), CancellationToken.None);

    private async Task<List<OutboxPointer>> PointersForAsync(string orderId)
    {
        var index = _shop.Tables.GetTableClient(StorageTables.OutboxIndex);
        var pointers = new List<OutboxPointer>();
        await foreach (var pointer in index.QueryAsync<OutboxPointer>(p => p.Partition == orderId))
        {
            pointers.Add(pointer);
        }

        return pointers;
    }
}
