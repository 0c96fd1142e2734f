using Azure.Data.Tables;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Shop.Functions.Messaging;
using Shop.Functions.Orders;
using Shop.Functions.Orders.SubmitOrder;
using Shop.Functions.Platform;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Tests.Orders;
using Xunit;

namespace Shop.Functions.Tests.Messaging;

/// <summary>
/// Issue 14: the sweeper finds pending outbox work through the outbox index (including the PlaceOrders it carries after a
/// failed send), drains a backlog in one run, writes nothing for an order that was not accepted, and still sends rows
/// written before the index existed. Each
/// test has a private Azurite (the legacy scan reads every partition, so rows of other tests must not be there).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class OutboxSweeperGivenTheIndex(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);

    private readonly ManualClock _clock = new(Start);
    private readonly StorageRequestLog _log = new();
    private AzuriteServer _server = null!;

    public async Task InitializeAsync() => _server = await AzuriteServer.StartAsync(azurite.AzuriteDirectory);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task LeavesNoPointerNorRowGivenTheBrokerUpAtSubmit()
    {
        await using var shop = await StartAsync();

        var orderId = await OrderReads.SubmitAsync(shop);
        await shop.Get<OutboxRelay>().DrainAsync();

        Assert.Single(shop.Sender.SentFor(orderId));
        Assert.Empty(await OutboxRowsAsync(shop));
        Assert.Empty(await PointersAsync(shop));
    }

    [Fact]
    public async Task AnswersBeforeTheBrokerDoesAndStillSendsThePlaceOrder()
    {
        await using var shop = await StartAsync(("Outbox:ImmediateSendTimeout", "00:01:00"));
        var broker = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        shop.Sender.HoldUntil = broker.Task;

        // The broker has not answered: the submit must not be waiting for it (it would wait up to a minute).
        var request = HttpTest.Request("POST", "/api/orders", OrderRequests.ValidJson());
        var result = await shop.Function<SubmitOrderFunction>().SubmitOrder(request, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        var response = await HttpTest.RunAsync(request, result);

        Assert.Equal(StatusCodes.Status202Accepted, response.Status);
        var orderId = response.Json().GetProperty("orderId").GetString()!;

        // Behind the 202: the order row is written, then the send starts and waits for the broker.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (shop.Sender.Attempts == 0 && waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(20);
        }

        Assert.Equal(1, shop.Sender.Attempts);
        Assert.Empty(shop.Sender.Sent);

        // The order is one row; its PlaceOrder is not stored with it, and is written to the index only if the send fails.
        Assert.Equal([OrderRow.OrderRowKey], (await shop.OrdersTable.QueryAsync<TableEntity>(e => e.PartitionKey == orderId).ToListAsync()).Select(row => row.RowKey));
        Assert.Empty(await PointersAsync(shop));

        broker.SetResult();
        await shop.Get<OutboxRelay>().DrainAsync();

        Assert.Equal($"PlaceOrder:{orderId}", Assert.Single(shop.Sender.SentFor(orderId)).MessageId);
        Assert.Empty(await OutboxRowsAsync(shop));
        Assert.Empty(await PointersAsync(shop));
    }

    [Fact]
    public async Task DrainsABacklogOfManyBatchesInOneRun()
    {
        await using var shop = await StartAsync(("Outbox:SweepBatchSize", "10"), ("Outbox:SweepConcurrency", "4"));
        shop.Sender.FailWith = new InvalidOperationException("Service Bus is down");
        var orderIds = new List<string>();
        for (var i = 0; i < 35; i++)
        {
            orderIds.Add(await OrderReads.SubmitAsync(shop));
        }

        await shop.Get<OutboxRelay>().DrainAsync();

        // Each failed send left its PlaceOrder in the index, carried by the pointer; nothing in the orders' partitions.
        var pointers = await PointersAsync(shop);
        Assert.Equal(35, pointers.Count);
        Assert.All(pointers, pointer => Assert.Equal($"PlaceOrder:{pointer.Partition}", pointer.CarriedRow().MessageId));
        Assert.Empty(await OutboxRowsAsync(shop));
        shop.Sender.FailWith = null;
        _clock.Advance(TimeSpan.FromMinutes(2));

        var sent = await shop.Get<OutboxSweeper>().SweepAsync(CancellationToken.None);

        Assert.Equal(35, sent);
        Assert.All(orderIds, orderId => Assert.Single(shop.Sender.SentFor(orderId)));
        Assert.Empty(await OutboxRowsAsync(shop));
        Assert.Empty(await PointersAsync(shop));
    }

    [Fact]
    public async Task KeepsThePlaceOrderGivenTheBrokerDownAndTheIndexFailingForSeconds()
    {
        // Seen in a CI fault run: the send failed, then the index write failed through the SDK's retries, and the order was
        // left to the watchdog's 15 minutes. The relay now tries again for about 15 s in real time.
        var faults = new TransportFaults();
        await using var shop = await StartAsync(configure: faults.Install);
        shop.Sender.FailWith = new InvalidOperationException("Service Bus is down");
        faults.FailFor(StorageRequest.WritesTo(StorageTables.OutboxIndex), TimeSpan.FromSeconds(3));

        var orderId = await OrderReads.SubmitAsync(shop);
        await shop.Get<OutboxRelay>().DrainAsync();

        Assert.True(faults.Injected(TransportFault.ServerBusy) > 0);
        var pointer = Assert.Single(await PointersAsync(shop));
        Assert.Equal($"PlaceOrder:{orderId}", pointer.CarriedRow().MessageId);
    }

    [Fact]
    public async Task WritesNothingAndSendsNothingGivenTheEntryInsertFailed()
    {
        var faults = new TransportFaults();
        await using var shop = await StartAsync(configure: faults.Install);
        var refused = faults.Fail(StorageRequest.InsertInto(StorageTables.OpenOrders), TransportFault.Refuse);

        var request = HttpTest.Request("POST", "/api/orders", OrderRequests.ValidJson());
        var response = await HttpTest.RunAsync(request, await shop.Function<SubmitOrderFunction>().SubmitOrder(request, CancellationToken.None));
        refused.Stop();
        await shop.Get<OutboxRelay>().DrainAsync();

        // The entry is the submit's one write: refused, nothing of the order is anywhere, and nothing is sent.
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, response.Status);
        Assert.True(faults.Injected(TransportFault.Refuse) > 0);
        Assert.Empty(await shop.Tables.GetTableClient(StorageTables.OpenOrders).QueryAsync<TableEntity>(e => e.PartitionKey.CompareTo("due-") >= 0).ToListAsync());
        Assert.Empty(await shop.OrdersTable.QueryAsync<TableEntity>().ToListAsync());
        Assert.Empty(await PointersAsync(shop));

        _clock.Advance(OutboxSweeper.EmptyPointerGrace + TimeSpan.FromMinutes(2));
        Assert.Equal(0, await shop.Get<OutboxSweeper>().SweepAsync(CancellationToken.None));
        Assert.Equal(0, shop.Sender.Attempts);
    }

    [Fact]
    public async Task SendsRowsWrittenWithoutAPointerThroughTheLegacyScanOncePerInterval()
    {
        await using var shop = await StartAsync(("Outbox:LegacyScanInterval", "1.00:00:00"));
        var first = await WriteLegacyOrderAsync(shop, "ord_legacy1");

        Assert.Equal(1, await shop.Get<OutboxSweeper>().SweepAsync(CancellationToken.None));
        Assert.Equal(first, Assert.Single(shop.Sender.Sent).MessageId);
        Assert.Empty(await OutboxRowsAsync(shop));

        // Within the interval the scan does not run: a sweep names a partition in every request to Orders.
        var second = await WriteLegacyOrderAsync(shop, "ord_legacy2");
        _log.Clear();
        Assert.Equal(0, await shop.Get<OutboxSweeper>().SweepAsync(CancellationToken.None));
        Assert.DoesNotContain(_log.Requests, r => r.ScansAcrossPartitions(StorageTables.Orders));

        _clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(1, await shop.Get<OutboxSweeper>().SweepAsync(CancellationToken.None));
        Assert.Contains(shop.Sender.Sent, m => m.MessageId == second);
    }

    [Fact]
    public async Task ResumesTheLegacyScanWhereTheLastRunRanOutOfTime()
    {
        await using var shop = await StartAsync(("Outbox:SweepBatchSize", "2"), ("Outbox:SweepTimeBudget", "00:00:01"));
        shop.Sender.Delay = TimeSpan.FromMilliseconds(300);
        var messageIds = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            messageIds.Add(await WriteLegacyOrderAsync(shop, $"ord_legacy{i}"));
        }

        // Six sends of 300 ms do not fit in a 1 s budget: the first run stops part-way and keeps where it was.
        var runs = new List<int> { await shop.Get<OutboxSweeper>().SweepAsync(CancellationToken.None) };
        var state = await shop.Tables.GetTableClient(StorageTables.OutboxIndex)
            .GetEntityAsync<LegacyScanState>(OutboxLegacyScan.StatePartition, StorageTables.Orders);
        Assert.NotNull(state.Value.ContinuationToken);
        while (runs.Sum() < 6 && runs.Count < 6)
        {
            runs.Add(await shop.Get<OutboxSweeper>().SweepAsync(CancellationToken.None));
        }

        Assert.InRange(runs[0], 1, 5);
        Assert.Equal(messageIds.Order(), shop.Sender.Sent.Select(m => m.MessageId).Order());
        state = await shop.Tables.GetTableClient(StorageTables.OutboxIndex)
            .GetEntityAsync<LegacyScanState>(OutboxLegacyScan.StatePartition, StorageTables.Orders);
        Assert.Null(state.Value.ContinuationToken);
        Assert.Equal(_clock.Now, state.Value.LastCompletedAt);
    }

    private async Task<ShopTestServices> StartAsync(params (string Key, string Value)[] settings) => await StartAsync(null, settings);

    private async Task<ShopTestServices> StartAsync(Action<IServiceCollection>? configure, params (string Key, string Value)[] settings)
    {
        var values = new Dictionary<string, string?> { ["Outbox:ImmediateSendTimeout"] = "00:00:00.500" };
        foreach (var (key, value) in settings)
        {
            values[key] = value;
        }

        return await ShopTestServices.StartAsync(_server.ConnectionString, values, services =>
        {
            services.Replace(ServiceDescriptor.Singleton<TimeProvider>(_clock));
            _log.Install(services);
            configure?.Invoke(services);
        });
    }

    /// <summary>An order as the build before the index left it: order row and outbox row, no pointer. Returns the message id.</summary>
    private async Task<string> WriteLegacyOrderAsync(ShopTestServices shop, string orderId)
    {
        var outbox = OutboxRow.For(orderId, new PlaceOrder(orderId).ToMessage(), _clock.Now - TimeSpan.FromMinutes(5));
        await shop.OrdersTable.SubmitTransactionAsync(
        [
            new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(orderId, OrderRow.OrderRowKey) { ["Status"] = OrderStatuses.Accepted }),
            new TableTransactionAction(TableTransactionActionType.Add, outbox),
        ]);
        return outbox.MessageId;
    }

    private static async Task<List<OutboxRow>> OutboxRowsAsync(ShopTestServices shop) =>
        await shop.OrdersTable.QueryAsync<OutboxRow>($"RowKey ge '{OutboxRow.RowKeyPrefix}' and RowKey lt 'outbox}}'").ToListAsync();

    private static async Task<List<OutboxPointer>> PointersAsync(ShopTestServices shop) =>
        await shop.Tables.GetTableClient(StorageTables.OutboxIndex).QueryAsync<OutboxPointer>($"PartitionKey ge '{OutboxIndex.BucketPrefix}'").ToListAsync();
}
