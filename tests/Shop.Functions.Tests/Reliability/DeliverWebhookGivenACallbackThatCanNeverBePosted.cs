using Azure.Data.Tables;
using Shop.Functions.Orders;
using Shop.Functions.Orders.Events;
using Shop.Functions.Platform;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Webhooks.Dispatch;
using Xunit;

namespace Shop.Functions.Tests.Reliability;

/// <summary>
/// Found by the bad-message campaign: a callback command to a file: URL (or a relative one, which .NET reads as
/// file:) claimed a row in the delivery log before the sender refused it; one whose event named an order id with a '/'
/// was posted and then retried for a day. Both can never succeed, so they are dead-lettered before anything is written.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class DeliverWebhookGivenACallbackThatCanNeverBePosted(AzuriteFixture azurite) : IAsyncLifetime
{
    private ShopTestServices _shop = null!;

    public async Task InitializeAsync() => _shop = await ShopTestServices.StartAsync(azurite.ConnectionString);

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    [Theory]
    [InlineData("file:///etc/passwd", "http(s) callbackUrl")]
    [InlineData("/hooks", "http(s) callbackUrl")]
    [InlineData("gopher://hooks.example/", "http(s) callbackUrl")]
    public async Task DeadLettersWithoutWritingGivenAUrlThatIsNotHttp(string url, string describedAs)
    {
        var orderId = OrderIds.NewRandom();
        var command = DeliverWebhook.ForCallback(url, BadMessageRegression.Event(OrderEventTypes.OrderAccepted, orderId));
        var message = ServiceBusMessages.Received(command.ToMessage());

        var actions = await BadMessageRegression.ConsumeAsync(_shop, "DeliverWebhook", message);

        actions.VerifyDeadLettered(message, "ValidationFailed", describedAs);
        Assert.Empty(await LogRowsAsync(command.LogPartition));
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("a/b")]
    public async Task DeadLettersWithoutPostingGivenAnEventForAnIdThatIsNoOrderId(string orderId)
    {
        var command = DeliverWebhook.ForCallback("https://hooks.example/in", BadMessageRegression.Event(OrderEventTypes.OrderAccepted, orderId));
        var message = ServiceBusMessages.Received(command.ToMessage());

        var actions = await BadMessageRegression.ConsumeAsync(_shop, "DeliverWebhook", message);

        actions.VerifyDeadLettered(message, "ValidationFailed", "not an order id");
        Assert.Empty(_shop.Sender.Sent);
    }

    private async Task<List<TableEntity>> LogRowsAsync(string partition) =>
        await _shop.Tables.GetTableClient(StorageTables.WebhookDeliveries).QueryAsync<TableEntity>(row => row.PartitionKey == partition).ToListAsync();
}
