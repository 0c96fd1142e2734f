using Azure.Data.Tables;
using Microsoft.AspNetCore.Http;
using Shop.Functions.Messaging;
using Shop.Functions.Orders;
using Shop.Functions.Orders.SubmitOrder;
using Shop.Functions.Orders.Watchdog;
using Shop.Functions.Platform;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Orders;

/// <summary>
/// Issue 14: the front door answers after one storage round trip, the insert of the order's open-orders entry, which holds
/// the whole order. The order row is written behind the 202; when that write stalls or fails, nothing of the order is lost:
/// the entry still holds it, and the first reader writes the row from it.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class SubmitOrderFunctionGivenOneWrite(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly TransportFaults _faults = new();
    private ShopTestServices _shop = null!;

    public async Task InitializeAsync() =>
        _shop = await ShopTestServices.StartAsync(azurite.ConnectionString, configure: _faults.Install);

    public async Task DisposeAsync()
    {
        _faults.Clear();
        await _shop.DisposeAsync();
    }

    [Fact]
    public async Task AnswersWithTheEntryAsItsOnlyWriteWhileTheOrderRowInsertIsStalled()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _faults.Hold(StorageRequest.InsertInto(StorageTables.Orders), release.Task);
        var writes = _faults.Slow(request => request.Service == StorageRequest.Table && request.IsWrite, TimeSpan.Zero);
        var customerId = $"one-write-{Guid.NewGuid():N}";

        // The row's insert is held until after the answer: a submit that waited for it would not answer at all.
        var response = await SubmitAsync(customerId).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(StatusCodes.Status202Accepted, response.Status);
        var orderId = response.Json().GetProperty("orderId").GetString()!;
        var before = writes.Hits.Where(request => !request.Touches(StorageTables.Orders)).ToList();
        var write = Assert.Single(before);
        Assert.Equal("POST", write.Method);
        Assert.True(write.Touches(StorageTables.OpenOrders));
        Assert.False((await _shop.OrdersTable.GetEntityIfExistsAsync<OrderRow>(orderId, OrderRow.OrderRowKey)).HasValue);
        var (exists, held) = await OpenOrderIndex.HeldOrderAsync(OpenOrders, orderId, CancellationToken.None);
        Assert.True(exists);
        Assert.Equal(customerId, held!.CustomerId);
        Assert.Equal("tok_visa_secret_123", held.PaymentToken);

        release.SetResult();
        await _shop.Get<OutboxRelay>().DrainAsync();

        // Behind the 202: the row, written with what the entry holds, and the PlaceOrder. The entry keeps the order until
        // the watchdog's first look (OpenOrdersWatchdogRun), which slims it to what the watchdog reads.
        var row = (await _shop.OrdersTable.GetEntityAsync<OrderRow>(orderId, OrderRow.OrderRowKey)).Value;
        Assert.Equal(held.CustomerId, row.CustomerId);
        Assert.Equal(held.Items, row.Items);
        Assert.Equal(held.RequestHash, row.RequestHash);
        Assert.Equal(held.CreatedAt, row.CreatedAt);
        Assert.Equal($"PlaceOrder:{orderId}", Assert.Single(_shop.Sender.SentFor(orderId)).MessageId);
        var entry = await OpenOrders.GetEntityAsync<TableEntity>(OpenOrderIndex.OpenPartition(orderId), orderId);
        Assert.Equal(row.RequestHash, entry.Value.GetString(nameof(OpenOrderRow.RequestHash)));
        Assert.Equal(row.CreatedAt + new OpenOrdersOptions().DueAfter, entry.Value.GetDateTimeOffset(nameof(OpenOrderRow.DueAt)));
    }

    [Fact]
    public async Task KeepsTheOrderInItsEntryAndWritesTheRowAtTheFirstReadGivenTheRowInsertFailingBehindThe202()
    {
        var refused = _faults.Fail(StorageRequest.InsertInto(StorageTables.Orders), TransportFault.ServerBusy);
        var customerId = $"one-write-{Guid.NewGuid():N}";

        var response = await SubmitAsync(customerId);
        await _shop.Get<OutboxRelay>().DrainAsync();

        // Accepted, and the row could not be written: the entry still holds the order, and the PlaceOrder went out anyway.
        Assert.Equal(StatusCodes.Status202Accepted, response.Status);
        var orderId = response.Json().GetProperty("orderId").GetString()!;
        Assert.True(refused.Injected > 0);
        Assert.False((await _shop.OrdersTable.GetEntityIfExistsAsync<OrderRow>(orderId, OrderRow.OrderRowKey)).HasValue);
        Assert.Contains(_shop.Logs.Records, log => log.Message.Contains($"Order {orderId}: its row could not be written behind the 202", StringComparison.Ordinal));
        Assert.Single(_shop.Sender.SentFor(orderId));

        // Storage is back: the first reader (here the read every consumer makes) writes the row from the entry.
        refused.Stop();
        var found = await _shop.Get<OrderStore>().FindAsync(orderId, CancellationToken.None);

        Assert.NotNull(found);
        Assert.Equal(customerId, found.CustomerId);
        Assert.Equal(OrderStatuses.Accepted, found.Status);
        var row = (await _shop.OrdersTable.GetEntityAsync<OrderRow>(orderId, OrderRow.OrderRowKey)).Value;
        Assert.Equal(found.ETag, row.ETag);
        Assert.Equal(found.RequestHash, row.RequestHash);
        Assert.Equal("tok_visa_secret_123", row.PaymentToken);
        var poll = HttpTest.Request("GET", $"/api/orders/{orderId}/status");
        var status = await HttpTest.RunAsync(poll, await _shop.Function<Functions.Orders.GetOrderStatus.GetOrderStatusFunction>().GetOrderStatus(poll, orderId, CancellationToken.None));
        Assert.Equal(StatusCodes.Status200OK, status.Status);
    }

    [Fact]
    public async Task AnswersTheSameOrderAgainGivenTheSameKeyWhileItsRowIsNotWrittenYet()
    {
        var refused = _faults.Fail(StorageRequest.InsertInto(StorageTables.Orders), TransportFault.ServerBusy);
        var key = Guid.NewGuid().ToString();
        var customerId = $"one-write-{Guid.NewGuid():N}";
        var first = await SubmitAsync(customerId, key);
        await _shop.Get<OutboxRelay>().DrainAsync();
        refused.Stop();

        var again = await SubmitAsync(customerId, key);
        var other = await SubmitAsync(customerId + "-other", key);

        var orderId = first.Json().GetProperty("orderId").GetString()!;
        Assert.Equal(StatusCodes.Status202Accepted, again.Status);
        Assert.Equal(orderId, again.Json().GetProperty("orderId").GetString());
        SubmitOrderFunctionSubmitOrder.AssertProblem(other, StatusCodes.Status422UnprocessableEntity, "urn:shop:problem:idempotency-key-reused");
        await _shop.Get<OutboxRelay>().DrainAsync();

        // Neither repeat wrote anything: the first order is still only in its entry, and the first read writes its row.
        Assert.Empty(await _shop.OrdersTable.QueryAsync<OrderRow>(row => row.PartitionKey == orderId).ToListAsync());
        Assert.Equal(customerId, (await _shop.Get<OrderStore>().FindAsync(orderId, CancellationToken.None))!.CustomerId);
        var rows = await _shop.OrdersTable.QueryAsync<OrderRow>(row => row.PartitionKey == orderId).ToListAsync();
        Assert.Equal(customerId, Assert.Single(rows).CustomerId);
    }

    private TableClient OpenOrders => _shop.Tables.GetTableClient(StorageTables.OpenOrders);

    private Task<TestResponse> SubmitAsync(string customerId, string? idempotencyKey = null) =>
        OrderReads.PostAsync(_shop, OrderRequests.With(b => b["customer"]!["id"] = customerId), idempotencyKey);
}
