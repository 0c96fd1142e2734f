using Azure.Data.Tables;
using Microsoft.AspNetCore.Http;
using Shop.Functions.Platform;
using Shop.Functions.Messaging;
using Shop.Functions.Orders;
using Shop.Functions.Orders.SubmitOrder;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Orders;

/// <summary>
/// Issue 13, case 6: the order's insert (its open-orders entry, the submit's one write) reaches storage and commits, its
/// response is lost on the wire, and the Tables SDK resends it on its own (below the app, so the app sees only EntityAlreadyExists). The client must get the 202 of
/// the one order that exists, with its PlaceOrder sent once, keyed or not; not a 503 that says nothing was accepted.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class SubmitOrderFunctionGivenALostCommitResponse(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly TransportFaults _faults = new();
    private ShopTestServices _shop = null!;

    public async Task InitializeAsync() =>
        _shop = await ShopTestServices.StartAsync(azurite.ConnectionString, configure: _faults.Install);

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    [Fact]
    public async Task Returns202WithOneOrderAndOnePlaceOrderGivenNoIdempotencyKey()
    {
        var customerId = $"lost-{Guid.NewGuid():N}";

        var response = await SubmitWithLostResponseAsync(customerId, idempotencyKey: null);

        await AssertOneAcceptedOrderAsync(customerId, response);
    }

    [Fact]
    public async Task Returns202WithOneOrderGivenEveryResponseOfTheCommitLostThroughTheSdksRetries()
    {
        // The insert commits, and its response and those of all the SDK's resends are lost: the SDK gives up. The entry
        // is read before the client is told anything, and it is there.
        var customerId = $"lost-{Guid.NewGuid():N}";
        _faults.LoseResponses(StorageRequest.InsertInto(StorageTables.OpenOrders), times: 20);

        var response = await SubmitAsync(OrderRequests.With(b => b["customer"]!["id"] = customerId), idempotencyKey: null);

        Assert.True(_faults.Injected(TransportFault.LoseResponse) > 1);
        await AssertOneAcceptedOrderAsync(customerId, response);
    }

    [Fact]
    public async Task Returns503SayingTheOutcomeIsUnknownGivenTheCommitAndTheReadsFail()
    {
        var customerId = $"lost-{Guid.NewGuid():N}";
        _faults.LoseResponses(StorageRequest.InsertInto(StorageTables.OpenOrders), times: 20);
        _faults.FailFor(request => request.Touches(StorageTables.OpenOrders) && !request.IsWrite, TimeSpan.FromSeconds(30));

        var response = await SubmitAsync(OrderRequests.With(b => b["customer"]!["id"] = customerId), idempotencyKey: null);

        SubmitOrderFunctionSubmitOrder.AssertProblem(response, StatusCodes.Status503ServiceUnavailable, "urn:shop:problem:dependency-unavailable");
        Assert.Contains("not known whether", response.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("nothing was accepted", response.Body, StringComparison.Ordinal);
        _faults.Clear();
    }

    [Fact]
    public async Task Returns503SayingTheOutcomeIsUnknownGivenTheSdksResendConflictsAndTheReadFails()
    {
        // The commit's response is lost once, the SDK resends it and gets EntityAlreadyExists: an entry is there. The read that
        // follows fails through the SDK's retries: the client must not be told that nothing was accepted (seen in a fault run).
        var customerId = $"lost-{Guid.NewGuid():N}";
        _faults.LoseResponses(StorageRequest.InsertInto(StorageTables.OpenOrders));
        _faults.FailFor(request => request.Touches(StorageTables.OpenOrders) && !request.IsWrite, TimeSpan.FromSeconds(30));

        var response = await SubmitAsync(OrderRequests.With(b => b["customer"]!["id"] = customerId), idempotencyKey: null);

        Assert.Equal(1, _faults.Injected(TransportFault.LoseResponse));
        SubmitOrderFunctionSubmitOrder.AssertProblem(response, StatusCodes.Status503ServiceUnavailable, "urn:shop:problem:dependency-unavailable");
        Assert.Contains("not known whether", response.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("nothing was accepted", response.Body, StringComparison.Ordinal);
        _faults.Clear();
    }

    [Fact]
    public async Task Returns202WithOneOrderAndOnePlaceOrderGivenAnIdempotencyKey()
    {
        var customerId = $"lost-{Guid.NewGuid():N}";

        var response = await SubmitWithLostResponseAsync(customerId, idempotencyKey: Guid.NewGuid().ToString());

        await AssertOneAcceptedOrderAsync(customerId, response);
    }

    [Fact]
    public async Task StillRefusesAKeyReusedWithAnotherBodyGivenALostResponse()
    {
        var key = Guid.NewGuid().ToString();
        var customerId = $"lost-{Guid.NewGuid():N}";
        var first = await SubmitWithLostResponseAsync(customerId, key);
        Assert.Equal(StatusCodes.Status202Accepted, first.Status);

        _faults.LoseResponses(StorageRequest.InsertInto(StorageTables.OpenOrders));
        var other = await SubmitAsync(OrderRequests.With(b => b["customer"]!["id"] = customerId + "-other"), key);

        SubmitOrderFunctionSubmitOrder.AssertProblem(other, StatusCodes.Status422UnprocessableEntity, "urn:shop:problem:idempotency-key-reused");
        Assert.Equal(2, _faults.Injected(TransportFault.LoseResponse));
    }

    private async Task<TestResponse> SubmitWithLostResponseAsync(string customerId, string? idempotencyKey)
    {
        _faults.LoseResponses(StorageRequest.InsertInto(StorageTables.OpenOrders));
        var response = await SubmitAsync(OrderRequests.With(b => b["customer"]!["id"] = customerId), idempotencyKey);
        Assert.Equal(1, _faults.Injected(TransportFault.LoseResponse));
        return response;
    }

    private async Task AssertOneAcceptedOrderAsync(string customerId, TestResponse response)
    {
        Assert.Equal(StatusCodes.Status202Accepted, response.Status);
        var orderId = response.Json().GetProperty("orderId").GetString()!;
        Assert.Equal(OrderStatuses.Accepted, response.Json().GetProperty("status").GetString());
        Assert.Equal($"https://{HttpTest.Host}/api/orders/{orderId}/status", response.Header("Location"));

        // Behind the 202: one order row, written from the entry, and its PlaceOrder sent right away (not left for the
        // sweeper), once; nothing but the order row is in its partition, and one entry watches the order.
        await _shop.Get<OutboxRelay>().DrainAsync();
        var orders = await _shop.OrdersTable.QueryAsync<OrderRow>(e => e.RowKey == OrderRow.OrderRowKey && e.CustomerId == customerId).ToListAsync();
        Assert.Equal([orderId], orders.Select(o => o.OrderId));
        var sent = Assert.Single(_shop.Sender.SentFor(orderId));
        Assert.Equal(Queues.PlaceOrder, sent.Destination);
        Assert.Equal($"PlaceOrder:{orderId}", sent.MessageId);
        var rows = await _shop.OrdersTable.QueryAsync<TableEntity>(e => e.PartitionKey == orderId).ToListAsync();
        Assert.Equal([OrderRow.OrderRowKey], rows.Select(row => row.RowKey));
        var entry = Assert.Single(await _shop.Tables.GetTableClient(StorageTables.OpenOrders).QueryAsync<Functions.Orders.Watchdog.OpenOrderRow>(e => e.RowKey == orderId).ToListAsync());
        Assert.Equal(orders[0].RequestHash, entry.RequestHash);
        Assert.Equal(orders[0].CreatedAt, entry.CreatedAt);
    }

    private Task<TestResponse> SubmitAsync(string body, string? idempotencyKey) => OrderReads.PostAsync(_shop, body, idempotencyKey);
}
