using Shop.Functions.Orders;
using Shop.Functions.Shipping;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Shipping;

/// <summary>The sandbox carrier against Azurite: one shipment per order, whoever asks and however often.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class SandboxCarrierShipAsync(AzuriteFixture azurite) : IAsyncLifetime
{
    private ShopTestServices _shop = null!;

    public async Task InitializeAsync() => _shop = await ShopTestServices.StartAsync(azurite.ConnectionString);

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    private ICarrier Carrier => _shop.Get<ICarrier>();

    [Fact]
    public async Task BooksAShipmentWithASimulatedTrackingNumber()
    {
        var orderId = OrderIds.NewRandom();

        var shipment = await Carrier.ShipAsync(ShippingTest.Command(orderId), CancellationToken.None);

        Assert.IsType<SandboxCarrier>(Carrier);
        Assert.Equal(orderId, shipment.OrderId);
        Assert.Matches("^SANDBOX-[0-9A-F]{16}$", shipment.TrackingNumber);
        var row = Assert.Single(await _shop.ShipmentsAsync(orderId));
        Assert.Equal(shipment.TrackingNumber, row.TrackingNumber);
        Assert.Equal(SandboxCarrier.CarrierName, row.Carrier);
        Assert.Equal("""[{"sku":"SKU-001","quantity":2},{"sku":"SKU-002","quantity":1}]""", row.Items);
    }

    [Fact]
    public async Task BooksOneShipmentGivenParallelCallsFromTwoInstances()
    {
        var orderId = OrderIds.NewRandom();
        await using var other = await ShopTestServices.StartAsync(azurite.ConnectionString);
        var command = ShippingTest.Command(orderId);

        var shipments = await Task.WhenAll(
            Enumerable.Range(0, 10).Select(i => (i % 2 == 0 ? Carrier : other.Get<ICarrier>()).ShipAsync(command, CancellationToken.None)));

        var trackingNumber = Assert.Single(shipments.Select(s => s.TrackingNumber).Distinct());
        Assert.Equal(trackingNumber, Assert.Single(await _shop.ShipmentsAsync(orderId)).TrackingNumber);
    }

    [Fact]
    public void WarnsThatShippingIsSimulated()
    {
        _ = Carrier;

        Assert.Contains(_shop.Logs.Records, log => log.Category == typeof(SandboxCarrier).FullName && log.Message.Contains("SIMULATED", StringComparison.Ordinal));
    }
}
