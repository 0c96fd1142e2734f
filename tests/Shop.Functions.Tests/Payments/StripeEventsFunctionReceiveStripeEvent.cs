using Azure.Data.Tables;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;
using Moq;
using Shop.Functions.Fulfillment;
using Shop.Functions.Orders;
using Shop.Functions.Payments;
using Shop.Functions.Payments.StripeEvents;
using Shop.Functions.Platform;
using Shop.Functions.Platform.Http;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Payments;

/// <summary>
/// <c>POST /api/payments/stripe/events</c> with events as Stripe sends them (built by <see cref="StripeStandIn"/> from a
/// PaymentIntent the gateway created) and a Stripe-Signature computed as Stripe documents it; the task hub is a mock.
/// </summary>
[Collection(CatalogAndPaymentsStorage.Name)]
public sealed class StripeEventsFunctionReceiveStripeEvent(AzuriteFixture azurite) : IAsyncLifetime, IDisposable
{
    private readonly StripeStandIn _stripe = new();
    private readonly Mock<DurableTaskClient> _client = new(MockBehavior.Strict, "saga");
    private ShopTestServices _shop = null!;

    public async Task InitializeAsync() => _shop = await StripeTest.StartAsync(azurite, _stripe.Url);

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    public void Dispose() => _stripe.Dispose();

    [Fact]
    public async Task RaisesPaymentSettledOnceGivenTheSameEventDeliveredTwice()
    {
        var (orderId, intentId) = await PendingChargeAsync();
        Running(orderId);
        var payload = _stripe.CompleteAction(intentId, succeed: true);

        var first = await PostAsync(payload, StripeTest.Signature(payload, DateTimeOffset.UtcNow));
        var second = await PostAsync(payload, StripeTest.Signature(payload, DateTimeOffset.UtcNow));

        Assert.Equal(StatusCodes.Status200OK, first.Status);
        Assert.Equal(nameof(StripeEventOutcome.Raised), first.Json().GetProperty("outcome").GetString());
        Assert.Equal(StatusCodes.Status200OK, second.Status);
        Assert.Equal(nameof(StripeEventOutcome.Duplicate), second.Json().GetProperty("outcome").GetString());
        _client.Verify(
            c => c.RaiseEventAsync(orderId, FulfillmentEvents.PaymentSettled, new PaymentSettledData(intentId, true, null), It.IsAny<CancellationToken>()),
            Times.Once);
        Assert.True(await InboxHasAsync(EventId(payload)));
    }

    [Fact]
    public async Task RaisesTheDeclineGivenPaymentFailed()
    {
        var (orderId, intentId) = await PendingChargeAsync();
        Running(orderId);
        var payload = _stripe.CompleteAction(intentId, succeed: false);

        var response = await PostAsync(payload, StripeTest.Signature(payload, DateTimeOffset.UtcNow));

        Assert.Equal(StatusCodes.Status200OK, response.Status);
        _client.Verify(
            c => c.RaiseEventAsync(
                orderId, FulfillmentEvents.PaymentSettled, new PaymentSettledData(intentId, false, "authentication_required"), It.IsAny<CancellationToken>()),
            Times.Once);
    }

    public static TheoryData<string> BadSignatures => new() { "wrong-secret", "stale", "future", "tampered", "missing", "garbage" };

    [Theory]
    [MemberData(nameof(BadSignatures))]
    public async Task Refuses401AndWritesNothingGivenABadOrStaleSignature(string how)
    {
        var (_, intentId) = await PendingChargeAsync();
        var payload = _stripe.CompleteAction(intentId, succeed: true);
        var now = DateTimeOffset.UtcNow;
        var (body, signature) = how switch
        {
            "wrong-secret" => (payload, StripeTest.Signature(payload, now, "whsec_someone_else")),
            "stale" => (payload, StripeTest.Signature(payload, now.AddMinutes(-6))),
            "future" => (payload, StripeTest.Signature(payload, now.AddMinutes(6))),
            "tampered" => (payload.Replace("\"livemode\":false", "\"livemode\":true", StringComparison.Ordinal), StripeTest.Signature(payload, now)),
            "missing" => (payload, string.Empty),
            _ => (payload, "t=abc,v1"),
        };

        var response = await PostAsync(body, signature);

        Assert.Equal(StatusCodes.Status401Unauthorized, response.Status);
        Assert.Equal(Problems.ContentType, response.Header("Content-Type"));
        Assert.Equal(ProblemTypes.InvalidSignature, response.Json().GetProperty("type").GetString());
        Assert.False(await InboxHasAsync(EventId(payload)));
        _client.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task AcknowledgesAndIgnoresGivenAnEventShopDoesNotNeed()
    {
        var (_, intentId) = await PendingChargeAsync();
        var payload = _stripe.EventFor("payment_intent.requires_action", intentId);

        var response = await PostAsync(payload, StripeTest.Signature(payload, DateTimeOffset.UtcNow));

        Assert.Equal(StatusCodes.Status200OK, response.Status);
        Assert.Equal(nameof(StripeEventOutcome.Ignored), response.Json().GetProperty("outcome").GetString());
        Assert.False(await InboxHasAsync(EventId(payload)));
        _client.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task Answers400GivenASignedBodyThatIsNoEvent()
    {
        const string payload = "{\"hello\":\"world\"}";

        var response = await PostAsync(payload, StripeTest.Signature(payload, DateTimeOffset.UtcNow));

        Assert.Equal(StatusCodes.Status400BadRequest, response.Status);
        Assert.Equal(Problems.ContentType, response.Header("Content-Type"));
        _client.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task Answers503AndMarksNothingGivenATaskHubThatDoesNotAnswer()
    {
        var (orderId, intentId) = await PendingChargeAsync();
        _client.Setup(c => c.GetInstanceAsync(orderId, It.IsAny<CancellationToken>()))
            .ThrowsAsync(new TimeoutException("The task hub did not answer."));
        var payload = _stripe.CompleteAction(intentId, succeed: true);

        var response = await PostAsync(payload, StripeTest.Signature(payload, DateTimeOffset.UtcNow));

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, response.Status);
        Assert.False(await InboxHasAsync(EventId(payload)));
    }

    private async Task<(string OrderId, string IntentId)> PendingChargeAsync()
    {
        var orderId = OrderIds.NewRandom();
        var pending = Assert.IsType<ChargeResult.Pending>(
            await _shop.Get<IPaymentGateway>().ChargeAsync(StripeTest.Charge(orderId, StripeStandIn.ThreeDSecure), CancellationToken.None));
        return (orderId, pending.ChargeId);
    }

    private void Running(string orderId)
    {
        _client.Setup(c => c.GetInstanceAsync(orderId, It.IsAny<CancellationToken>()))
            .ReturnsAsync(new OrchestrationMetadata(nameof(OrderFulfillmentOrchestrator.OrderFulfillmentV2), orderId) { RuntimeStatus = OrchestrationRuntimeStatus.Running });
        _client.Setup(c => c.RaiseEventAsync(orderId, It.IsAny<string>(), It.IsAny<object?>(), It.IsAny<CancellationToken>())).Returns(Task.CompletedTask);
    }

    private async Task<TestResponse> PostAsync(string body, string signature)
    {
        var headers = signature.Length > 0 ? new Dictionary<string, string> { [StripeEventsFunction.SignatureHeader] = signature } : null;
        var request = HttpTest.Request("POST", "/api/" + StripeEventsFunction.Route, body, headers: headers);
        return await HttpTest.RunAsync(request, await _shop.Function<StripeEventsFunction>().ReceiveStripeEvent(request, _client.Object, CancellationToken.None));
    }

    private static string EventId(string payload) => System.Text.Json.JsonDocument.Parse(payload).RootElement.GetProperty("id").GetString()!;

    private async Task<bool> InboxHasAsync(string eventId) =>
        (await _shop.Tables.GetTableClient(StorageTables.Inbox).GetEntityIfExistsAsync<TableEntity>(eventId, StripeEventInbox.RowKey)).HasValue;
}
