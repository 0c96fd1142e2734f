using System.Text.Json.Nodes;
using Shop.Functions.Orders;
using Shop.Functions.Payments;
using Shop.Functions.Payments.StripeEvents;
using Shop.Functions.Tests.EndToEnd.Harness;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Tests.Notifications;
using Shop.Functions.Tests.Orders;
using Shop.Functions.Tests.Payments;
using Xunit;

namespace Shop.Functions.Tests.EndToEnd;

/// <summary>
/// Whole orders through the whole app (<see cref="ShopPipeline"/>) with the real providers: payments by the Stripe gateway
/// against <see cref="StripeStandIn"/> (Stripe's API as Stripe documents it, driven through Stripe.net) and e-mail over
/// SMTP to a real server (<see cref="SmtpTestServer"/>). The conservation check holds with the money Stripe holds: for
/// each order, captured minus refunded at Stripe is the total if it was dispatched and zero otherwise.
/// </summary>
[Collection(AzuriteCollection.Name)]
[Trait("Category", "Slow")]
public sealed class OrderPipelineEndToEndWithRealProviders(AzuriteFixture azurite) : IAsyncLifetime, IDisposable
{
    private const string Sku = "SKU-009"; // no other test uses it
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly StripeStandIn _stripe = new();
    private SmtpTestServer _smtp = null!;
    private ShopPipeline? _pipeline;

    public async Task InitializeAsync() => _smtp = await SmtpTestServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_pipeline is not null)
        {
            await _pipeline.DisposeAsync();
        }

        await _smtp.DisposeAsync();
    }

    public void Dispose() => _stripe.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ChargesOnceAndShipsOnceGivenACompletedOrder(bool deliverTwice)
    {
        var shop = await StartAsync(deliverTwice);

        var orderId = await SubmitAsync(shop, StripeStandIn.Visa);
        Assert.Equal(303, (await shop.PollUntilFinishedAsync(orderId, Patience)).Status);
        await shop.Broker.WhenIdleAsync(Patience);

        Assert.Equal(OrderStatuses.Completed, (await shop.OrderAsync(orderId)).Json().GetProperty("status").GetString());
        Assert.Single(_stripe.Creates(orderId).Select(c => c.IdempotencyKey).Distinct());
        Assert.True(_stripe.MoneyFor(orderId).Captured > 0);
        await AssertConservedAsync(shop, orderId);
        Assert.Equal(["OrderAccepted", "OrderCompleted", "ShipmentDispatched"], await MailsAsync(orderId));
        Assert.Empty(shop.Broker.DeadLetters);
    }

    [Fact]
    public async Task ChargesNothingGivenADeclinedCard()
    {
        var shop = await StartAsync(deliverTwice: false);

        var orderId = await SubmitAsync(shop, StripeStandIn.Declined);
        Assert.Equal(303, (await shop.PollUntilFinishedAsync(orderId, Patience)).Status);
        await shop.Broker.WhenIdleAsync(Patience);

        var order = (await shop.OrderAsync(orderId)).Json();
        Assert.Equal(OrderStatuses.Failed, order.GetProperty("status").GetString());
        Assert.Equal((0L, 0L), _stripe.MoneyFor(orderId));
        await AssertConservedAsync(shop, orderId);
        Assert.Equal(["OrderAccepted", "OrderFailed"], await MailsAsync(orderId));
    }

    [Fact]
    public async Task CompletesAfterThreeDSecureGivenStripesSignedWebhook()
    {
        var shop = await StartAsync(deliverTwice: false);

        var orderId = await SubmitAsync(shop, StripeStandIn.ThreeDSecure);
        var deadline = DateTimeOffset.UtcNow + Patience;
        while (_stripe.IntentsFor(orderId).Count == 0 || (await shop.Client.GetInstanceAsync(orderId, getInputsAndOutputs: true))?.SerializedCustomStatus?.Contains("AwaitingPaymentAction", StringComparison.Ordinal) != true)
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "The saga did not wait for the payment action.");
            await Task.Delay(100);
        }

        var intentId = Assert.Single(_stripe.IntentsFor(orderId))["id"]!.GetValue<string>();
        var payload = _stripe.CompleteAction(intentId, succeed: true);
        Assert.Equal(200, await PostStripeEventAsync(shop, payload));
        Assert.Equal(200, await PostStripeEventAsync(shop, payload)); // Stripe delivers at least once

        Assert.Equal(303, (await shop.PollUntilFinishedAsync(orderId, Patience)).Status);
        await shop.Broker.WhenIdleAsync(Patience);
        Assert.Equal(OrderStatuses.Completed, (await shop.OrderAsync(orderId)).Json().GetProperty("status").GetString());
        await AssertConservedAsync(shop, orderId);
    }

    private async Task<ShopPipeline> StartAsync(bool deliverTwice)
    {
        var settings = StripeTest.Settings(_stripe.Url);
        foreach (var (key, value) in SendEmailConsumerSendEmailOverSmtp.Settings(_smtp.Port))
        {
            settings[key] = value;
        }

        settings["Fulfillment:PaymentActionTimeout"] = "00:01:00";
        _pipeline = await ShopPipeline.StartAsync(azurite.ConnectionString, new BrokerOptions { DeliverTwice = deliverTwice }, settings);
        await _pipeline.SetStockAsync(Sku, 100);
        return _pipeline;
    }

    /// <summary>The conservation check over whole tables, with the order's money as Stripe holds it.</summary>
    private async Task AssertConservedAsync(ShopPipeline shop, string orderId)
    {
        var report = await shop.Conservation.CheckAsync(adjust: snapshot =>
        {
            var order = snapshot.Orders.Single(o => o.OrderId == orderId);
            var (captured, refunded) = _stripe.MoneyFor(orderId);
            snapshot.Payments[orderId] = new PaymentFacts(
                orderId,
                StripeAmounts.FromMinorUnits(captured, order.Currency),
                StripeAmounts.FromMinorUnits(refunded, order.Currency),
                order.Currency,
                [.. _stripe.IntentsFor(orderId).Select(i => i["id"]!.GetValue<string>())]);
        });
        report.AssertHolds();
    }

    private async Task<string[]> MailsAsync(string orderId)
    {
        var types = new List<string>();
        foreach (var mail in await _smtp.DrainAsync())
        {
            var id = mail.Message.MessageId ?? string.Empty;
            if (id.StartsWith(orderId + ".", StringComparison.Ordinal))
            {
                types.Add(id[(orderId.Length + 1)..id.IndexOf('@', StringComparison.Ordinal)]);
            }
        }

        Assert.Equal(types.Count, types.Distinct(StringComparer.Ordinal).Count());
        return [.. types.Order(StringComparer.Ordinal)];
    }

    private static async Task<int> PostStripeEventAsync(ShopPipeline shop, string payload)
    {
        var request = HttpTest.Request(
            "POST",
            "/api/" + StripeEventsFunction.Route,
            payload,
            headers: new Dictionary<string, string> { [StripeEventsFunction.SignatureHeader] = StripeTest.Signature(payload, DateTimeOffset.UtcNow) });
        var result = await shop.Shop.Function<StripeEventsFunction>().ReceiveStripeEvent(request, shop.Client, CancellationToken.None);
        return (await HttpTest.RunAsync(request, result)).Status;
    }

    private static async Task<string> SubmitAsync(ShopPipeline shop, string paymentMethod)
    {
        var body = OrderRequests.Valid();
        body["items"] = new JsonArray { new JsonObject { ["sku"] = Sku, ["quantity"] = 1 } };
        body["payment"]!["token"] = paymentMethod;
        var response = await shop.SubmitAsync(body);
        Assert.Equal(202, response.Status);
        return response.Json().GetProperty("orderId").GetString()!;
    }
}
