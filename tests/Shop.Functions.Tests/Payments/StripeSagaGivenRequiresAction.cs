using System.Globalization;
using Shop.Functions.Fulfillment;
using Shop.Functions.Orders;
using Shop.Functions.Payments;
using Shop.Functions.Payments.StripeEvents;
using Shop.Functions.Tests.Fulfillment;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Payments;

/// <summary>
/// The saga on the Durable test engine with the Stripe gateway against <see cref="StripeStandIn"/>: a charge that needs
/// 3-D Secure waits (<c>AwaitingPaymentAction</c>) for Stripe's webhook, posted to the app's function as Stripe would.
/// </summary>
[Collection(CatalogAndPaymentsStorage.Name)]
public sealed class StripeSagaGivenRequiresAction(AzuriteFixture azurite) : IAsyncLifetime, IDisposable
{
    private readonly StripeStandIn _stripe = new();
    private SagaHarness _saga = null!;

    public async Task InitializeAsync()
    {
        var settings = StripeTest.Settings(_stripe.Url);
        settings["Fulfillment:PaymentActionTimeout"] = "00:00:04";
        _saga = await SagaHarness.StartAsync(azurite, settings);
    }

    public async Task DisposeAsync() => await _saga.DisposeAsync();

    public void Dispose() => _stripe.Dispose();

    [Fact]
    public async Task CompletesTheOrderOnceGivenTheSucceededWebhook()
    {
        var orderId = await _saga.SubmitAndPlaceAsync(b => b["payment"]!["token"] = StripeStandIn.ThreeDSecure);
        await _saga.WaitForSagaStatusAsync(orderId, "AwaitingPaymentAction");
        var intentId = Assert.Single(_stripe.IntentsFor(orderId))["id"]!.GetValue<string>();
        var payload = _stripe.CompleteAction(intentId, succeed: true);

        Assert.Equal(nameof(StripeEventOutcome.Raised), await PostAsync(payload));
        var waiting = await _saga.WaitForStatusAsync(orderId, OrderStatuses.AwaitingShipment);
        Assert.Equal(nameof(StripeEventOutcome.Duplicate), await PostAsync(payload));
        await _saga.DispatchAsync(orderId);
        var result = await _saga.WaitForEndAsync(orderId);

        Assert.Equal(OrderStatuses.Completed, result.Status);
        Assert.Equal(intentId, waiting.ChargeId);
        var charged = StripeAmounts.ToMinorUnits(decimal.Parse(waiting.ChargedAmount!, CultureInfo.InvariantCulture), waiting.Currency!);
        Assert.True(charged > 0);
        Assert.Equal((charged, 0L), _stripe.MoneyFor(orderId));
        Assert.Single(_stripe.IntentsFor(orderId));
    }

    [Fact]
    public async Task FailsDeclinedGivenThePaymentFailedWebhook()
    {
        var orderId = await _saga.SubmitAndPlaceAsync(b => b["payment"]!["token"] = StripeStandIn.ThreeDSecure);
        await _saga.WaitForSagaStatusAsync(orderId, "AwaitingPaymentAction");
        var intentId = Assert.Single(_stripe.IntentsFor(orderId))["id"]!.GetValue<string>();

        Assert.Equal(nameof(StripeEventOutcome.Raised), await PostAsync(_stripe.CompleteAction(intentId, succeed: false)));
        var result = await _saga.WaitForEndAsync(orderId);

        Assert.Equal(OrderStatuses.Failed, result.Status);
        Assert.Equal(FailureReasons.PaymentDeclined, result.FailureReason);
        Assert.Equal((0L, 0L), _stripe.MoneyFor(orderId));
    }

    [Fact]
    public async Task FailsAndCancelsThePaymentGivenNoOutcomeWithinTheTimeout()
    {
        var orderId = await _saga.SubmitAndPlaceAsync(b => b["payment"]!["token"] = StripeStandIn.ThreeDSecure);

        var result = await _saga.WaitForEndAsync(orderId);

        Assert.Equal(OrderStatuses.Failed, result.Status);
        Assert.Equal(FailureReasons.PaymentFailed, result.FailureReason);
        Assert.Equal("canceled", Assert.Single(_stripe.IntentsFor(orderId))["status"]!.GetValue<string>());
        Assert.Equal((0L, 0L), _stripe.MoneyFor(orderId));
        Assert.DoesNotContain(_stripe.Calls, c => c.Path == "/v1/refunds");
    }

    [Fact]
    public async Task CompletesWithoutWaitingGivenACardWithout3DSecure()
    {
        var orderId = await _saga.SubmitAndPlaceAsync(b => b["payment"]!["token"] = StripeStandIn.Visa);
        await _saga.WaitForStatusAsync(orderId, OrderStatuses.AwaitingShipment);
        await _saga.DispatchAsync(orderId);

        Assert.Equal(OrderStatuses.Completed, (await _saga.WaitForEndAsync(orderId)).Status);
        Assert.Single(_stripe.IntentsFor(orderId));
    }

    [Fact]
    public async Task CompletesTheOrderChargedOnceGivenACaptureWhoseAnswerWasLostAndStripeDownForTheRetries()
    {
        // The first charge captures but its answer breaks off; the activity's other attempts meet 503s: ResolvePayment
        // finds the capture by Stripe's search on the order id, and the order goes on without a second charge.
        _stripe.LoseNextAnswers(1, "/v1/payment_intents", failuresAfter: 3);
        var orderId = await _saga.SubmitAndPlaceAsync(b => b["payment"]!["token"] = StripeStandIn.Visa);
        var waiting = await _saga.WaitForStatusAsync(orderId, OrderStatuses.AwaitingShipment);
        await _saga.DispatchAsync(orderId);

        Assert.Equal(OrderStatuses.Completed, (await _saga.WaitForEndAsync(orderId)).Status);
        var intent = Assert.Single(_stripe.IntentsFor(orderId));
        Assert.Equal(intent["id"]!.GetValue<string>(), waiting.ChargeId);
        Assert.Contains(_stripe.Calls, c => c.Path == "/v1/payment_intents/search");
        Assert.Equal(4, _stripe.Creates(orderId).Count);
        Assert.Equal((intent["amount"]!.GetValue<long>(), 0L), _stripe.MoneyFor(orderId));
    }

    private async Task<string?> PostAsync(string payload)
    {
        var request = HttpTest.Request(
            "POST",
            "/api/" + StripeEventsFunction.Route,
            payload,
            headers: new Dictionary<string, string> { [StripeEventsFunction.SignatureHeader] = StripeTest.Signature(payload, DateTimeOffset.UtcNow) });
        var response = await HttpTest.RunAsync(request, await _saga.Shop.Function<StripeEventsFunction>().ReceiveStripeEvent(request, _saga.Client, CancellationToken.None));
        Assert.Equal(200, response.Status);
        return response.Json().GetProperty("outcome").GetString();
    }
}
