using Shop.Functions.Orders;
using Shop.Functions.Shipping;
using Shop.Functions.Shipping.Booking;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Tests.Shipping;
using Xunit;

namespace Shop.Functions.Tests.Reliability;

/// <summary>
/// Found by the bad-message campaign: ship-order booked shipments for SKUs like '../../Orders' that no order can hold,
/// and a SKU (or address line) of 1 MiB failed in storage on every attempt, which the pipeline retried for hours.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ShipOrderGivenItemsNoOrderCouldHave(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly ShippingAddress Address = new("1 Main St", null, "London", null, "N1 9GU", "GB");

    private ShopTestServices _shop = null!;

    public async Task InitializeAsync() => _shop = await ShopTestServices.StartAsync(azurite.ConnectionString);

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    public static TheoryData<string, int> Skus => new()
    {
        { "../../Orders", 1 },
        { "a/b", 1 },
        { "SKU 1", 1 },
        { new string('S', 1024 * 1024), 1 },
        { "SKU-001", -3 },
    };

    [Theory]
    [MemberData(nameof(Skus))]
    public async Task DeadLettersWithoutShippingGivenAnItemIntakeWouldRefuse(string sku, int quantity)
    {
        var message = ServiceBusMessages.Received(new ShipOrder(OrderIds.NewRandom(), [new OrderLine(sku, quantity)], Address).ToMessage());

        var actions = await BadMessageRegression.ConsumeAsync(_shop, "ShipOrder", message);

        actions.VerifyDeadLettered(message, "ValidationFailed", "Every item needs a sku");
        Assert.Empty(_shop.Sender.Sent);
    }

    [Fact]
    public async Task DeadLettersWithoutShippingGivenANegativeDispatchSequence()
    {
        var message = ServiceBusMessages.Received(new ShipOrder(OrderIds.NewRandom(), [new OrderLine("SKU-001", 1)], Address, DispatchSequence: -1).ToMessage());

        var actions = await BadMessageRegression.ConsumeAsync(_shop, "ShipOrder", message);

        actions.VerifyDeadLettered(message, "ValidationFailed", "dispatchSequence");
        Assert.Empty(_shop.Sender.Sent);
    }

    [Fact]
    public async Task DeadLettersWithoutShippingGivenAHugeAddressLine()
    {
        var address = Address with { Line1 = new string('x', 1024 * 1024) };
        var message = ServiceBusMessages.Received(new ShipOrder(OrderIds.NewRandom(), [new OrderLine("SKU-001", 1)], address).ToMessage());

        var actions = await BadMessageRegression.ConsumeAsync(_shop, "ShipOrder", message);

        actions.VerifyDeadLettered(message, "ValidationFailed", "at most 200 characters");
        Assert.Empty(_shop.Sender.Sent);
    }

    public static TheoryData<string, string, string?> Contacts => new()
    {
        { "", "Ada", null },
        { "ada@example.com", new string('n', 1024 * 1024), null },
        { new string('e', 300) + "@example.com", "Ada", null },
        { "ada@example.com", "Ada", "not a url" },
    };

    [Theory]
    [MemberData(nameof(Contacts))]
    public async Task DeadLettersWithoutShippingGivenAContactIntakeWouldRefuse(string email, string name, string? callbackUrl)
    {
        // It would travel on into ShipmentDispatched: a huge one would fail its send on every retry instead.
        var command = new ShipOrder(OrderIds.NewRandom(), [new OrderLine("SKU-001", 1)], Address, Contact: new Functions.Orders.Events.OrderContact(email, name, callbackUrl));
        var message = ServiceBusMessages.Received(command.ToMessage());

        var actions = await BadMessageRegression.ConsumeAsync(_shop, "ShipOrder", message);

        actions.VerifyDeadLettered(message, "ValidationFailed", "contact");
        Assert.Empty(_shop.Sender.Sent);
        Assert.Empty(await _shop.ShipmentsAsync(command.OrderId));
    }
}
