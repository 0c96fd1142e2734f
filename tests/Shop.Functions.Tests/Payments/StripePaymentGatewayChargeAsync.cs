using Shop.Functions.Orders;
using Shop.Functions.Payments;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Payments;

/// <summary>The Stripe gateway's charges, through Stripe.net, against <see cref="StripeStandIn"/>.</summary>
[Collection(CatalogAndPaymentsStorage.Name)]
public sealed class StripePaymentGatewayChargeAsync(AzuriteFixture azurite) : IAsyncLifetime, IDisposable
{
    private readonly StripeStandIn _stripe = new();
    private ShopTestServices _shop = null!;

    private IPaymentGateway Gateway => _shop.Get<IPaymentGateway>();

    public async Task InitializeAsync() => _shop = await StripeTest.StartAsync(azurite, _stripe.Url);

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    public void Dispose() => _stripe.Dispose();

    [Fact]
    public async Task CapturesAConfirmedPaymentIntentWithTheOrderIdAndAKeyFromIt()
    {
        var orderId = OrderIds.NewRandom();

        var result = await Gateway.ChargeAsync(StripeTest.Charge(orderId), CancellationToken.None);

        var captured = Assert.IsType<ChargeResult.Captured>(result);
        Assert.StartsWith("pi_", captured.ChargeId, StringComparison.Ordinal);
        Assert.Equal(PaymentsTest.Amount, captured.Amount);
        Assert.Equal(PaymentsTest.Currency, captured.Currency);
        var create = Assert.Single(_stripe.Creates(orderId));
        Assert.Equal(StripePaymentGateway.ChargeKey(orderId), create.IdempotencyKey);
        Assert.Equal("4250", create.Parameters["amount"]);
        Assert.Equal("eur", create.Parameters["currency"]);
        Assert.Equal(StripeStandIn.Visa, create.Parameters["payment_method"]);
        Assert.Equal("true", create.Parameters["confirm"]);
        Assert.Equal((4250L, 0L), _stripe.MoneyFor(orderId));
    }

    [Fact]
    public async Task ChargesOnceGivenALostAnswerThenARetryWithTheSameKey()
    {
        var orderId = OrderIds.NewRandom();
        _stripe.LoseNextAnswers(1, "/v1/payment_intents");

        await Assert.ThrowsAsync<PaymentGatewayUnavailableException>(() => Gateway.ChargeAsync(StripeTest.Charge(orderId), CancellationToken.None));
        var retried = await Gateway.ChargeAsync(StripeTest.Charge(orderId), CancellationToken.None);

        var captured = Assert.IsType<ChargeResult.Captured>(retried);
        var creates = _stripe.Creates(orderId);
        Assert.Equal(2, creates.Count);
        Assert.All(creates, c => Assert.Equal(StripePaymentGateway.ChargeKey(orderId), c.IdempotencyKey));
        Assert.Equal(captured.ChargeId, Assert.Single(_stripe.IntentsFor(orderId))["id"]!.GetValue<string>());
        Assert.Equal((4250L, 0L), _stripe.MoneyFor(orderId));
    }

    [Theory]
    [InlineData(503)]
    [InlineData(500)]
    [InlineData(429)]
    public async Task ThrowsUnavailableGivenATransientStatusAndChargesOnceOnRetry(int status)
    {
        var orderId = OrderIds.NewRandom();
        _stripe.FailNext(2, status);

        await Assert.ThrowsAsync<PaymentGatewayUnavailableException>(() => Gateway.ChargeAsync(StripeTest.Charge(orderId), CancellationToken.None));
        await Assert.ThrowsAsync<PaymentGatewayUnavailableException>(() => Gateway.ChargeAsync(StripeTest.Charge(orderId), CancellationToken.None));
        Assert.IsType<ChargeResult.Captured>(await Gateway.ChargeAsync(StripeTest.Charge(orderId), CancellationToken.None));

        // Stripe.net was built without retries of its own: three calls, three requests, one key.
        var creates = _stripe.Creates(orderId);
        Assert.Equal(3, creates.Count);
        Assert.Single(creates.Select(c => c.IdempotencyKey).Distinct());
        Assert.Single(_stripe.IntentsFor(orderId));
    }

    [Fact]
    public async Task AnswersTheFirstChargeGivenTheOrderChargedAgain()
    {
        var orderId = OrderIds.NewRandom();

        var first = Assert.IsType<ChargeResult.Captured>(await Gateway.ChargeAsync(StripeTest.Charge(orderId), CancellationToken.None));
        var second = Assert.IsType<ChargeResult.Captured>(await Gateway.ChargeAsync(StripeTest.Charge(orderId), CancellationToken.None));

        Assert.Equal(first.ChargeId, second.ChargeId);
        Assert.Single(_stripe.IntentsFor(orderId));
        Assert.Equal((4250L, 0L), _stripe.MoneyFor(orderId));
    }

    [Theory]
    [InlineData(StripeStandIn.Declined, "generic_decline")]
    [InlineData(StripeStandIn.InsufficientFunds, DeclineCodes.InsufficientFunds)]
    [InlineData("tok_visa", StripeFailures.InvalidPaymentMethod)]
    public async Task DeclinesGivenACardTheIssuerRefuses(string paymentMethod, string declineCode)
    {
        var orderId = OrderIds.NewRandom();

        var first = await Gateway.ChargeAsync(StripeTest.Charge(orderId, paymentMethod), CancellationToken.None);
        var again = await Gateway.ChargeAsync(StripeTest.Charge(orderId, paymentMethod), CancellationToken.None);

        Assert.Equal(declineCode, Assert.IsType<ChargeResult.Declined>(first).DeclineCode);
        Assert.Equal(declineCode, Assert.IsType<ChargeResult.Declined>(again).DeclineCode);
        Assert.Equal((0L, 0L), _stripe.MoneyFor(orderId));
    }

    [Fact]
    public async Task AnswersPendingGivenACardThatRequires3DSecure()
    {
        var orderId = OrderIds.NewRandom();

        var result = await Gateway.ChargeAsync(StripeTest.Charge(orderId, StripeStandIn.ThreeDSecure), CancellationToken.None);

        var pending = Assert.IsType<ChargeResult.Pending>(result);
        Assert.Equal("requires_action", pending.Reason);
        Assert.Equal("requires_action", Assert.Single(_stripe.IntentsFor(orderId))["status"]!.GetValue<string>());
        Assert.Equal((0L, 0L), _stripe.MoneyFor(orderId));
    }

    [Fact]
    public async Task ThrowsUnavailableGivenNoServerAtTheApiBase()
    {
        var closed = $"http://127.0.0.1:{Fulfillment.SagaHarness.FreePort()}";
        await using var shop = await StripeTest.StartAsync(azurite, closed);

        await Assert.ThrowsAsync<PaymentGatewayUnavailableException>(
            () => shop.Get<IPaymentGateway>().ChargeAsync(StripeTest.Charge(OrderIds.NewRandom()), CancellationToken.None));
    }

    [Fact]
    public async Task DeclinesOrderClosedAndSendsNothingGivenAnOrderClosedByARefund()
    {
        var orderId = OrderIds.NewRandom();
        Assert.IsType<RefundResult.NothingCharged>(await Gateway.RefundAsync(RefundRequest.Everything(orderId), CancellationToken.None));

        var late = await Gateway.ChargeAsync(StripeTest.Charge(orderId), CancellationToken.None);

        Assert.Equal(DeclineCodes.OrderClosed, Assert.IsType<ChargeResult.Declined>(late).DeclineCode);
        Assert.Empty(_stripe.Creates(orderId));
    }
}
