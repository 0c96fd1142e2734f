using Shop.Functions.Orders.Events;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Tests.Webhooks;
using Xunit;

namespace Shop.Functions.Tests.Reliability;

/// <summary>
/// Found by the bad-message campaign: an event for the "order" '../../Orders' (or 'a/b', or 1 MiB of text) was fanned
/// out to every webhook; each delivery then posted it to the receiver.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class FanOutWebhooksGivenAnIdThatIsNoOrderId(AzuriteFixture azurite) : IAsyncLifetime
{
    private ShopTestServices _shop = null!;

    public async Task InitializeAsync()
    {
        (_shop, _) = await WebhookTests.StartAsync(azurite.ConnectionString);
        await WebhookTests.RegisterAsync(_shop, "http://127.0.0.1:9/hooks", "*");
    }

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    [Theory]
    [InlineData("../../Orders")]
    [InlineData("a/b")]
    [InlineData("' or PartitionKey ne '")]
    public async Task DeadLettersWithoutFanningOut(string orderId)
    {
        var message = BadMessageRegression.Received(BadMessageRegression.Event(OrderEventTypes.OrderAccepted, orderId));

        var actions = await BadMessageRegression.ConsumeAsync(_shop, "FanOutWebhooks", message);

        actions.VerifyDeadLettered(message, "ValidationFailed", "not an order id");
        Assert.Empty(_shop.Sender.Sent);
    }
}
