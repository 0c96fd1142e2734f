using Shop.Functions.Orders.Events;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Reliability;

/// <summary>
/// Found by the bad-message campaign: an event whose data.orderId holds a '/' reached the Inbox table as a key, which
/// storage refuses; the pipeline took that for a transient failure and retried for hours instead of dead-lettering.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class NotifyCustomerGivenAnIdThatIsNoOrderId(AzuriteFixture azurite) : IAsyncLifetime
{
    private ShopTestServices _shop = null!;

    public async Task InitializeAsync() => _shop = await ShopTestServices.StartAsync(azurite.ConnectionString);

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    [Theory]
    [InlineData("a/b")]
    [InlineData("../../Orders")]
    [InlineData("ord_\\")]
    public async Task DeadLettersWithoutRetrying(string orderId)
    {
        var message = BadMessageRegression.Received(BadMessageRegression.Event(OrderEventTypes.OrderAccepted, orderId));

        var actions = await BadMessageRegression.ConsumeAsync(_shop, "NotifyCustomer", message);

        actions.VerifyDeadLettered(message, "ValidationFailed", "not an order id");
        Assert.Empty(_shop.Sender.Sent);
    }
}
