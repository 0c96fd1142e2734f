using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Moq;
using Shop.Functions.Messaging;
using Shop.Functions.Orders.Events;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Webhooks.Delivery;
using Shop.Functions.Webhooks.DeliveryLog;
using Shop.Functions.Webhooks.Dispatch;
using Xunit;

namespace Shop.Functions.Tests.Webhooks;

/// <summary><c>GET /api/webhooks/{id}/deliveries</c> and <c>POST .../deliveries/{deliveryId}/redeliver</c>.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class WebhookDeliveryFunctionsTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly ScriptedWebhookSender _sender = new();
    private ShopTestServices _shop = null!;
    private ManualClock _clock = null!;

    public async Task InitializeAsync() =>
        (_shop, _clock) = await WebhookTests.StartAsync(
            azurite.ConnectionString,
            configure: services => services.Replace(ServiceDescriptor.Singleton<IWebhookSender>(_sender)));

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    private WebhookDeliveryFunctions Functions => _shop.Function<WebhookDeliveryFunctions>();

    [Fact]
    public async Task ListsDeliveriesNewestFirstWithAttemptsAndNextAttempt()
    {
        var (id, _) = await WebhookTests.RegisterAsync(_shop, "http://127.0.0.1:9/hook", "*");
        var order = await WebhookEvents.AddOrderAsync(_shop);
        _sender.Then(WebhookPostStatus.Delivered, WebhookPostStatus.Failed);
        var accepted = await DeliverAsync(id, WebhookEvents.Event(OrderEventTypes.OrderAccepted, order.OrderId, sequence: 1));
        var reserved = await DeliverAsync(id, WebhookEvents.Event(OrderEventTypes.StockReserved, order.OrderId, sequence: 2));

        var response = await ListAsync(id);

        Assert.Equal(StatusCodes.Status200OK, response.Status);
        var items = response.Json().GetProperty("items").EnumerateArray().ToList();
        Assert.Equal([reserved.DeliveryId, accepted.DeliveryId], items.Select(i => i.GetProperty("id").GetString()));
        var failing = items[0];
        Assert.Equal(("StockReserved", "Retrying", 2), (failing.GetProperty("eventType").GetString(), failing.GetProperty("status").GetString(), failing.GetProperty("attemptCount").GetInt32()));
        Assert.Equal([500, 503], failing.GetProperty("attempts").EnumerateArray().Select(a => a.GetProperty("statusCode").GetInt32()));
        Assert.Equal(_clock.Now + TimeSpan.FromMinutes(1), failing.GetProperty("nextAttemptAt").GetDateTimeOffset());
        Assert.Equal("Delivered", items[1].GetProperty("status").GetString());
        Assert.False(response.Json().TryGetProperty("next", out _), "a short page has no next link");
    }

    [Fact]
    public async Task PagesWithTopAndTheNextLink()
    {
        var (id, _) = await WebhookTests.RegisterAsync(_shop, "http://127.0.0.1:9/hook", "*");
        var order = await WebhookEvents.AddOrderAsync(_shop);
        var deliveries = new List<DeliverWebhook>();
        for (var sequence = 1; sequence <= 3; sequence++)
        {
            deliveries.Add(await DeliverAsync(id, WebhookEvents.Event(OrderEventTypes.All[sequence - 1], order.OrderId, sequence)));
        }

        var first = await ListAsync(id, "?top=2");
        var next = first.Json().GetProperty("next").GetString()!;
        var second = await ListAsync(id, new Uri(next).Query);

        Assert.Equal(
            deliveries.Select(d => d.DeliveryId).Reverse(),
            first.Json().GetProperty("items").EnumerateArray().Concat(second.Json().GetProperty("items").EnumerateArray()).Select(i => i.GetProperty("id").GetString()));
    }

    [Theory]
    [InlineData("?top=0", "top")]
    [InlineData("?top=101", "top")]
    [InlineData("?top=ten", "top")]
    [InlineData("?after=whatever", "after")]
    public async Task Returns400GivenABadPageQuery(string query, string field)
    {
        var (id, _) = await WebhookTests.RegisterAsync(_shop, "http://127.0.0.1:9/hook", "*");

        var response = await ListAsync(id, query);

        Assert.Equal(StatusCodes.Status400BadRequest, response.Status);
        Assert.True(response.Json().GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task Returns404GivenAnUnknownWebhook()
    {
        Assert.Equal(StatusCodes.Status404NotFound, (await ListAsync("whk_aaaaaaaaaaaaaaaaaaaaaaaaaa")).Status);
    }

    [Fact]
    public async Task RedeliverQueuesTheNextRoundAndItIsPostedAgain()
    {
        var (id, _) = await WebhookTests.RegisterAsync(_shop, "http://127.0.0.1:9/hook", "*");
        var order = await WebhookEvents.AddOrderAsync(_shop);
        var delivered = await DeliverAsync(id, WebhookEvents.Event(OrderEventTypes.OrderAccepted, order.OrderId));

        var response = await RedeliverAsync(id, delivered.DeliveryId);

        Assert.Equal(StatusCodes.Status202Accepted, response.Status);
        Assert.Equal(1, response.Json().GetProperty("round").GetInt32());
        var queued = Assert.Single(_shop.Sender.Sent);
        Assert.Equal((Queues.DeliverWebhook, $"{delivered.DeliveryId}#redeliver1"), (queued.Destination, queued.MessageId));
        await ConsumeAsync(queued);
        Assert.Equal(2, _sender.Posts.Count);
        Assert.All(_sender.Posts, post => Assert.Equal(delivered.DeliveryId, post.WebhookId));
    }

    [Fact]
    public async Task RedeliverReturns404GivenAnUnknownDelivery()
    {
        var (id, _) = await WebhookTests.RegisterAsync(_shop, "http://127.0.0.1:9/hook", "*");

        var response = await RedeliverAsync(id, "dlv_0000000000000000001_aaaaaaaaaaaaaaaaaaaa");

        Assert.Equal(StatusCodes.Status404NotFound, response.Status);
        Assert.Empty(_shop.Sender.Sent);
    }

    [Fact]
    public async Task RedeliverReturns503AndChangesNothingGivenTheBrokerIsDown()
    {
        var (id, _) = await WebhookTests.RegisterAsync(_shop, "http://127.0.0.1:9/hook", "*");
        var order = await WebhookEvents.AddOrderAsync(_shop);
        var delivered = await DeliverAsync(id, WebhookEvents.Event(OrderEventTypes.OrderAccepted, order.OrderId));
        _shop.Sender.FailWith = new InvalidOperationException("broker down");

        var response = await RedeliverAsync(id, delivered.DeliveryId);

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, response.Status);
        Assert.Contains("Retry", response.Body, StringComparison.Ordinal);
        var row = await _shop.Get<WebhookDeliveryLog>().FindAsync(id, delivered.DeliveryId, CancellationToken.None);
        Assert.Equal((WebhookDeliveryStatuses.Delivered, 0), (row!.Status, row.Round));

        // The 503 cannot know whether its send reached the broker; the retry asks for the same round, so the same message id.
        _shop.Sender.FailWith = null;
        var retried = await RedeliverAsync(id, delivered.DeliveryId);
        Assert.Equal(StatusCodes.Status202Accepted, retried.Status);
        Assert.Equal(1, retried.Json().GetProperty("round").GetInt32());
        Assert.Equal($"{delivered.DeliveryId}#redeliver1", Assert.Single(_shop.Sender.Sent, m => m.Destination == Queues.DeliverWebhook && m.MessageId.Contains("#redeliver", StringComparison.Ordinal)).MessageId);
    }

    private async Task<DeliverWebhook> DeliverAsync(string subscriptionId, OrderEvent orderEvent)
    {
        var command = DeliverWebhook.ForSubscription(subscriptionId, orderEvent);
        await ConsumeAsync(command.ToMessage());
        return command;
    }

    private Task ConsumeAsync(OutgoingMessage message) =>
        _shop.Function<DeliverWebhookConsumer>().DeliverWebhook(ServiceBusMessages.Received(message), new Mock<ServiceBusMessageActions>().Object, CancellationToken.None);

    private async Task<TestResponse> ListAsync(string id, string query = "")
    {
        var request = HttpTest.Request("GET", $"/api/webhooks/{id}/deliveries", contentType: null);
        request.QueryString = new QueryString(query);
        return await HttpTest.RunAsync(request, await Functions.ListWebhookDeliveries(request, id, CancellationToken.None));
    }

    private async Task<TestResponse> RedeliverAsync(string id, string deliveryId)
    {
        var request = HttpTest.Request("POST", $"/api/webhooks/{id}/deliveries/{deliveryId}/redeliver", contentType: null);
        return await HttpTest.RunAsync(request, await Functions.RedeliverWebhook(request, id, deliveryId, CancellationToken.None));
    }
}
