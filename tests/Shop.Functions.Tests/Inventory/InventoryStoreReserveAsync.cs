using Azure;
using Azure.Data.Tables;
using Shop.Functions.Inventory;
using Shop.Functions.Orders;
using Shop.Functions.Platform;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Inventory;

[Collection(CatalogAndPaymentsStorage.Name)]
public sealed class InventoryStoreReserveAsync(AzuriteFixture azurite) : IAsyncLifetime
{
    private ShopTestServices _shop = null!;
    private InventoryStore _store = null!;

    public async Task InitializeAsync()
    {
        _shop = await InventoryTestServices.StartAsync(azurite.ConnectionString);
        _store = _shop.Get<InventoryStore>();
    }

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    [Fact]
    public async Task DecreasesStockAndWritesTheReservation()
    {
        var sku = await _store.StockedSkuAsync(10);
        var orderId = OrderIds.NewRandom();

        var result = await _store.ReserveAsync(orderId, [new OrderLine(sku, 3)], CancellationToken.None);

        Assert.Equal(ReservationResult.AllReserved, result);
        Assert.Equal(7, await _store.AvailableAsync(sku));
        var reservation = Assert.Single(await _store.GetReservationsAsync(orderId, [new OrderLine(sku, 3)], CancellationToken.None));
        Assert.Equal((sku, orderId, 3, ReservationStatuses.Reserved), (reservation.Sku, reservation.OrderId, reservation.Quantity, reservation.Status));
        Assert.Null(reservation.ReleasedAt);
    }

    [Fact]
    public async Task IsANoOpGivenTheOrderIsReservedAlready()
    {
        var sku = await _store.StockedSkuAsync(10);
        var orderId = OrderIds.NewRandom();
        await _store.ReserveAsync(orderId, [new OrderLine(sku, 3)], CancellationToken.None);

        var again = await _store.ReserveAsync(orderId, [new OrderLine(sku, 3)], CancellationToken.None);

        Assert.Equal(ReservationResult.AllReserved, again);
        Assert.Equal(7, await _store.AvailableAsync(sku));
        Assert.Single(await ReservationRowsAsync(sku));
    }

    [Fact]
    public async Task ReportsReservedGivenTheOrderHoldsTheLastUnitsAlready()
    {
        var sku = await _store.StockedSkuAsync(2);
        var orderId = OrderIds.NewRandom();
        await _store.ReserveAsync(orderId, [new OrderLine(sku, 2)], CancellationToken.None);

        var again = await _store.ReserveAsync(orderId, [new OrderLine(sku, 2)], CancellationToken.None);

        Assert.Equal(ReservationResult.AllReserved, again);
        Assert.Equal(0, await _store.AvailableAsync(sku));
    }

    [Fact]
    public async Task LeavesStockUnchangedGivenTooLittleStock()
    {
        var sku = await _store.StockedSkuAsync(2);
        var orderId = OrderIds.NewRandom();

        var result = await _store.ReserveAsync(orderId, [new OrderLine(sku, 3)], CancellationToken.None);

        Assert.Equal(ReservationResult.OutOfStock(sku), result);
        Assert.Equal(2, await _store.AvailableAsync(sku));
        Assert.Empty(await ReservationRowsAsync(sku));
    }

    [Fact]
    public async Task ReportsOutOfStockGivenASkuWithoutStock()
    {
        var unknown = InventoryTestServices.NewSku();

        var result = await _store.ReserveAsync(OrderIds.NewRandom(), [new OrderLine(unknown, 1)], CancellationToken.None);

        Assert.Equal(ReservationResult.OutOfStock(unknown), result);
    }

    [Fact]
    public async Task ThrowsRatherThanReportOutOfStockGivenNoInventoryTable()
    {
        // Its own server: the shared one's table must stay.
        await using var server = await AzuriteServer.StartAsync(azurite.AzuriteDirectory);
        await using var shop = await InventoryTestServices.StartAsync(server.ConnectionString);
        await shop.Tables.DeleteTableAsync(StorageTables.Inventory);

        var missing = await Assert.ThrowsAsync<RequestFailedException>(() =>
            shop.Get<InventoryStore>().ReserveAsync(OrderIds.NewRandom(), [new OrderLine("SKU-001", 1)], CancellationToken.None));
        Assert.Equal("TableNotFound", missing.ErrorCode);
    }

    [Fact]
    public async Task ReleasesEarlierLinesGivenALaterLineOutOfStock()
    {
        var first = await _store.StockedSkuAsync(10);
        var second = await _store.StockedSkuAsync(1);
        var orderId = OrderIds.NewRandom();
        OrderLine[] lines = [new(first, 4), new(second, 2)];

        var result = await _store.ReserveAsync(orderId, lines, CancellationToken.None);

        Assert.Equal(ReservationResult.OutOfStock(second), result);
        Assert.Equal(10, await _store.AvailableAsync(first));
        Assert.Equal(1, await _store.AvailableAsync(second));
        var reservation = Assert.Single(await _store.GetReservationsAsync(orderId, lines, CancellationToken.None));
        Assert.Equal((first, ReservationStatuses.Released), (reservation.Sku, reservation.Status));
    }

    [Fact]
    public async Task TakesNothingGivenTheOrderWasReleased()
    {
        // A stale duplicate of ReserveStock (activities are at least once) that lands after the saga's ReleaseStock.
        var sku = await _store.StockedSkuAsync(5);
        var orderId = OrderIds.NewRandom();
        await _store.ReserveAsync(orderId, [new OrderLine(sku, 2)], CancellationToken.None);
        await _store.ReleaseAsync(orderId, [new OrderLine(sku, 2)], CancellationToken.None);

        var result = await _store.ReserveAsync(orderId, [new OrderLine(sku, 2)], CancellationToken.None);

        Assert.False(result.Reserved);
        Assert.Equal(5, await _store.AvailableAsync(sku));
        var row = Assert.Single(await ReservationRowsAsync(sku));
        Assert.Equal(ReservationStatuses.Released, row.Status);
    }

    [Fact]
    public async Task TakesNothingGivenTheOrderWasReleasedBeforeItEverReserved()
    {
        // The compensation ran before the first, slow, copy of ReserveStock got to this SKU.
        var sku = await _store.StockedSkuAsync(5);
        var orderId = OrderIds.NewRandom();
        await _store.ReleaseAsync(orderId, [new OrderLine(sku, 2)], CancellationToken.None);

        var result = await _store.ReserveAsync(orderId, [new OrderLine(sku, 2)], CancellationToken.None);

        Assert.False(result.Reserved);
        Assert.Equal(5, await _store.AvailableAsync(sku));
    }

    [Fact]
    public async Task TreatsSkusThatDifferInCaseAsOne()
    {
        var sku = await _store.StockedSkuAsync(10);
        var orderId = OrderIds.NewRandom();

        var result = await _store.ReserveAsync(orderId, [new OrderLine(sku.ToLowerInvariant(), 2), new OrderLine(sku, 1)], CancellationToken.None);

        Assert.Equal(ReservationResult.AllReserved, result);
        Assert.Equal(7, await _store.AvailableAsync(sku.ToLowerInvariant()));
        Assert.Equal(3, Assert.Single(await ReservationRowsAsync(sku)).Quantity);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task ThrowsGivenAQuantityBelowOne(int quantity)
    {
        var sku = await _store.StockedSkuAsync(10);

        await Assert.ThrowsAsync<ArgumentException>(() =>
            _store.ReserveAsync(OrderIds.NewRandom(), [new OrderLine(sku, quantity)], CancellationToken.None));
        Assert.Equal(10, await _store.AvailableAsync(sku));
    }

    [Fact]
    public async Task NeverOversellsGivenConcurrentOrders()
    {
        var sku = await _store.StockedSkuAsync(25);
        using var done = new CancellationTokenSource();
        var lowest = int.MaxValue;
        var sampler = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                lowest = Math.Min(lowest, await _store.AvailableAsync(sku));
            }
        });

        var results = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ =>
            _store.ReserveAsync(OrderIds.NewRandom(), [new OrderLine(sku, 1)], CancellationToken.None)));
        await done.CancelAsync();
        await sampler;

        Assert.Equal(25, results.Count(result => result.Reserved));
        Assert.Equal(15, results.Count(result => result == ReservationResult.OutOfStock(sku)));
        Assert.Equal(0, await _store.AvailableAsync(sku));
        Assert.True(lowest >= 0, $"Stock went down to {lowest}.");
        var rows = await ReservationRowsAsync(sku);
        Assert.Equal(25, rows.Count);
        Assert.All(rows, row => Assert.Equal((1, ReservationStatuses.Reserved), (row.Quantity, row.Status)));
    }

    [Fact]
    public async Task ReservesOnceGivenTheSameOrderConcurrently()
    {
        var sku = await _store.StockedSkuAsync(10);
        var orderId = OrderIds.NewRandom();

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            _store.ReserveAsync(orderId, [new OrderLine(sku, 3)], CancellationToken.None)));

        Assert.All(results, result => Assert.Equal(ReservationResult.AllReserved, result));
        Assert.Equal(7, await _store.AvailableAsync(sku));
        Assert.Single(await ReservationRowsAsync(sku));
    }

    private async Task<List<ReservationRow>> ReservationRowsAsync(string sku)
    {
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {sku} and RowKey ge {InventoryKeys.ReservationRowKeyPrefix} and RowKey lt {InventoryKeys.ReservationRowKeyEnd}");
        var rows = new List<ReservationRow>();
        await foreach (var row in _store.Table.QueryAsync<ReservationRow>(filter))
        {
            rows.Add(row);
        }

        return rows;
    }
}
