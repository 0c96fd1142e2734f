using Azure.Data.Tables;
using Microsoft.AspNetCore.Http;
using Shop.Functions.Messaging;
using Shop.Functions.Orders;
using Shop.Functions.Orders.SubmitOrder;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Tests.Orders;
using Xunit;

namespace Shop.Functions.Tests.Messaging;

/// <summary>The outbox promise: once an order is accepted its command goes out, even if Service Bus was down.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class OutboxSweeperSweep(AzuriteFixture azurite) : IAsyncLifetime
{
    private ShopTestServices _shop = null!;

    public async Task InitializeAsync() =>
        _shop = await ShopTestServices.StartAsync(azurite.ConnectionString, new Dictionary<string, string?>
        {
            // Sweep everything at once, so the test need not wait a minute.
            ["Outbox:SweepAge"] = "00:00:00",
            ["Outbox:ImmediateSendTimeout"] = "00:00:00.500",
        });

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    [Fact]
    public async Task SendsCommandLaterGivenServiceBusDownAtSubmit()
    {
        _shop.Sender.FailWith = new InvalidOperationException("Service Bus is down");

        var response = await SubmitAsync();

        Assert.Equal(StatusCodes.Status202Accepted, response.Status);
        var orderId = response.Json().GetProperty("orderId").GetString()!;
        Assert.Empty(_shop.Sender.Sent);
        var pending = Assert.Single(await OutboxRowsAsync(orderId));
        Assert.Equal($"PlaceOrder:{orderId}", pending.MessageId);

        // Still down: the sweeper keeps the row.
        await _shop.Get<OutboxSweeper>().SweepAsync(CancellationToken.None);
        Assert.Single(await OutboxRowsAsync(orderId));

        _shop.Sender.FailWith = null;
        await _shop.Get<OutboxSweeper>().SweepAsync(CancellationToken.None);

        var sent = Assert.Single(_shop.Sender.SentFor(orderId));
        Assert.Equal($"PlaceOrder:{orderId}", sent.MessageId);
        Assert.Equal(Queues.PlaceOrder, sent.Destination);
        Assert.Equal("PlaceOrder", sent.Subject);
        Assert.Empty(await OutboxRowsAsync(orderId));
    }

    [Fact]
    public async Task AnswersWithinTheSendTimeoutGivenABrokerThatHangs()
    {
        _shop.Sender.Delay = TimeSpan.FromMinutes(5);

        var response = await SubmitAsync();

        Assert.Equal(StatusCodes.Status202Accepted, response.Status);
        var orderId = response.Json().GetProperty("orderId").GetString()!;
        Assert.Single(await OutboxRowsAsync(orderId));
    }

    [Fact]
    public async Task StopsCallingTheBrokerOnceTheCircuitOpens()
    {
        _shop.Sender.FailWith = new InvalidOperationException("Service Bus is down");

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(StatusCodes.Status202Accepted, (await SubmitAsync()).Status);
        }

        // The breaker needs 5 calls to judge; after that, requests skip the send entirely.
        Assert.InRange(_shop.Sender.Attempts, 5, 6);
    }

    [Fact]
    public async Task LeavesYoungRowsToTheImmediateSend()
    {
        await using var patient = await ShopTestServices.StartAsync(azurite.ConnectionString, new Dictionary<string, string?>
        {
            ["Outbox:SweepAge"] = "00:10:00",
        });
        patient.Sender.FailWith = new InvalidOperationException("Service Bus is down");
        var request = HttpTest.Request("POST", "/api/orders", OrderRequests.ValidJson());
        var response = await HttpTest.RunAsync(request, await patient.Function<SubmitOrderFunction>().SubmitOrder(request, CancellationToken.None));
        var orderId = response.Json().GetProperty("orderId").GetString()!;
        await patient.Get<OutboxRelay>().DrainAsync();
        patient.Sender.FailWith = null;

        await patient.Get<OutboxSweeper>().SweepAsync(CancellationToken.None);

        Assert.Empty(patient.Sender.SentFor(orderId));
        Assert.Single(await PendingMessages.ForOrderAsync(patient.Tables, orderId));
    }

    [Fact]
    public async Task SweepsTheOutboxFromTheTimerFunction()
    {
        _shop.Sender.FailWith = new InvalidOperationException("Service Bus is down");
        var orderId = (await SubmitAsync()).Json().GetProperty("orderId").GetString()!;
        Assert.Single(await OutboxRowsAsync(orderId));
        _shop.Sender.FailWith = null;

        await _shop.Function<OutboxSweeperFunction>().SweepOutbox(new Microsoft.Azure.Functions.Worker.TimerInfo(), CancellationToken.None);

        Assert.Single(_shop.Sender.SentFor(orderId));
        Assert.Empty(await OutboxRowsAsync(orderId));
    }

    private async Task<TestResponse> SubmitAsync()
    {
        var request = HttpTest.Request("POST", "/api/orders", OrderRequests.ValidJson());
        return await HttpTest.RunAsync(request, await _shop.Function<SubmitOrderFunction>().SubmitOrder(request, CancellationToken.None));
    }

    /// <summary>The order's messages still to send, once the background sends (and their fallbacks) are done.</summary>
    private async Task<List<OutboxRow>> OutboxRowsAsync(string orderId)
    {
        await _shop.Get<OutboxRelay>().DrainAsync();
        return await PendingMessages.ForOrderAsync(_shop.Tables, orderId);
    }
}
