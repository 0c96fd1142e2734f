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

    [Fact]
    public async Task DeletesAStepsSentRowsInTheNextStepsTransactionWithoutARequestOfTheirOwn()
    {
        var orderId = await AcceptedOrderAsync();
        _log.Clear();

        await RecordStockReservedAsync(orderId);
        await RecordAsync(orderId, OrderEventTypes.PaymentCaptured);
        await _shop.Get<OutboxRelay>().DrainAsync();

        // StockReserved's sent row went with PaymentCaptured's transaction: no delete of its own, none left behind (the
        // last step's row, with no step after it, is deleted alone when the drain ends its wait).
        Assert.DoesNotContain(_log.Requests, DeleteOf(OrderEventTypes.StockReserved));
        Assert.Contains(_log.Requests, DeleteOf(OrderEventTypes.PaymentCaptured));
        Assert.Equal(2, _log.Requests.Count(r => r.Request.IsBatch && r.Request.Touches(StorageTables.Orders)));
        Assert.Single(StockReservedSent(orderId));
        Assert.Single(_shop.Sender.SentFor(orderId), message => message.Subject == OrderEventTypes.PaymentCaptured);
        Assert.Empty(await PendingMessages.ForOrderAsync(_shop.Tables, orderId));
    }

    [Fact]
    public async Task RecordsTheNextStepAloneGivenTheSentRowWasDeletedMeanwhile()
    {
        var orderId = await AcceptedOrderAsync();
        await RecordStockReservedAsync(orderId);
        // Another relay (the step run again elsewhere, the watchdog) deleted it while this process held it.
        var row = Assert.Single(await PendingMessages.ForOrderAsync(_shop.Tables, orderId));
        await _shop.OrdersTable.DeleteEntityAsync(orderId, row.RowKey);

        var next = await RecordAsync(orderId, OrderEventTypes.PaymentCaptured);
        await _shop.Get<OutboxRelay>().DrainAsync();

        Assert.True(next.Applied);
        Assert.Contains((await OrderRows.ReadAsync(_shop, orderId)).GetSteps(), step => step.Name == OrderEventTypes.PaymentCaptured);
        Assert.Empty(await PendingMessages.ForOrderAsync(_shop.Tables, orderId));
    }

    [Fact]
    public async Task RecordsTheNextStepGivenTheSameSentRowsRelayedTwice()
    {
        var orderId = await AcceptedOrderAsync();
        _log.Clear();
        await RecordStockReservedAsync(orderId);
        // A copy of the step (a redelivered command) relays the rows its first run still holds as sent.
        var left = await _shop.Get<OrderStore>().OutboxRowsAsync(orderId, CancellationToken.None);
        await _shop.Get<OutboxRelay>().RelayCommittedAsync(_shop.OrdersTable, left, CancellationToken.None);

        var next = await RecordAsync(orderId, OrderEventTypes.PaymentCaptured);
        await _shop.Get<OutboxRelay>().DrainAsync();

        // Held once, so the next transaction names each row once (twice is a 400 for the whole transaction) and deletes it.
        // The two changes are the only transactions: no third one deleted the rows afterwards.
        Assert.True(next.Applied);
        Assert.DoesNotContain(_log.Requests, DeleteOf(OrderEventTypes.StockReserved));
        Assert.Equal(2, _log.Requests.Count(r => r.Request.IsBatch && r.Request.Touches(StorageTables.Orders)));
        Assert.Empty(await PendingMessages.ForOrderAsync(_shop.Tables, orderId));
    }

    [Fact]
    public async Task DeletesTheHeldRowsOnTheirOwnGivenTheNextStepsTransactionFails()
    {
        var orderId = await AcceptedOrderAsync();
        await RecordStockReservedAsync(orderId);
        _log.Clear();

        // A change whose command clashes with a row already in the partition: its transaction fails with 409.
        var clash = new OutgoingMessage(Queues.ShipOrder, MessageId: $"Clash:{orderId}", Subject: "Clash", CorrelationId: orderId, Body: BinaryData.FromString("{}"));
        await _shop.OrdersTable.AddEntityAsync(OutboxRow.For(orderId, clash, DateTimeOffset.UtcNow));
        var failing = new OrderChange(OrderEventTypes.PaymentCaptured) { Commands = _ => [clash] };
        await Assert.ThrowsAsync<TableTransactionFailedException>(() => _shop.Get<OrderProgress>().RecordAsync(orderId, failing, CancellationToken.None));
        await _shop.OrdersTable.DeleteEntityAsync(orderId, OutboxRow.RowKeyPrefix + clash.MessageId);
        await _shop.Get<OutboxRelay>().DrainAsync();

        // StockReserved's sent row was handed back and deleted by a request of its own; the order did not change.
        Assert.Contains(_log.Requests, DeleteOf(OrderEventTypes.StockReserved));
        Assert.Empty(await PendingMessages.ForOrderAsync(_shop.Tables, orderId));
        Assert.DoesNotContain((await OrderRows.ReadAsync(_shop, orderId)).GetSteps(), step => step.Name == OrderEventTypes.PaymentCaptured);
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

    /// <summary>A delete request of its own for the outbox row of the order's <paramref name="eventType"/> (not one inside a transaction).</summary>
    private static Predicate<LoggedRequest> DeleteOf(string eventType) =>
        r => r.Request.Method == "DELETE" && r.ToString().Contains(eventType, StringComparison.Ordinal);

    private Task<OrderChangeResult> RecordAsync(string orderId, string eventType) =>
        _shop.Get<OrderProgress>().RecordAsync(orderId, new OrderChange(eventType), CancellationToken.None);

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
