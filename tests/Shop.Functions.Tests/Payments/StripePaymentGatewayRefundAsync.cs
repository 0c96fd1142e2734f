using Shop.Functions.Orders;
using Shop.Functions.Payments;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Payments;

/// <summary>The Stripe gateway's refunds and outcome query, through Stripe.net, against <see cref="StripeStandIn"/>.</summary>
[Collection(CatalogAndPaymentsStorage.Name)]
public sealed class StripePaymentGatewayRefundAsync(AzuriteFixture azurite) : IAsyncLifetime, IDisposable
{
    private readonly StripeStandIn _stripe = new();
    private ShopTestServices _shop = null!;

    private IPaymentGateway Gateway => _shop.Get<IPaymentGateway>();

    public async Task InitializeAsync() => _shop = await StripeTest.StartAsync(azurite, _stripe.Url);

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    public void Dispose() => _stripe.Dispose();

    [Fact]
    public async Task RefundsOnceWithItsOwnKeyGivenTheRefundRepeatedAndAnAnswerLost()
    {
        var orderId = OrderIds.NewRandom();
        var charge = Assert.IsType<ChargeResult.Captured>(await Gateway.ChargeAsync(StripeTest.Charge(orderId), CancellationToken.None));
        var request = new RefundRequest(orderId, charge.ChargeId, charge.Amount, charge.Currency);
        _stripe.LoseNextAnswers(1, "/v1/refunds");

        await Assert.ThrowsAsync<PaymentGatewayUnavailableException>(() => Gateway.RefundAsync(request, CancellationToken.None));
        var refunded = Assert.IsType<RefundResult.Refunded>(await Gateway.RefundAsync(request, CancellationToken.None));
        var again = Assert.IsType<RefundResult.Refunded>(await Gateway.RefundAsync(request, CancellationToken.None));

        Assert.Equal(refunded.RefundId, again.RefundId);
        Assert.Equal(charge.ChargeId, refunded.ChargeId);
        Assert.Equal(PaymentsTest.Amount, refunded.Amount);
        Assert.All(_stripe.Refunds(orderId), c => Assert.Equal(StripePaymentGateway.RefundKey(orderId), c.IdempotencyKey));
        Assert.NotEqual(StripePaymentGateway.ChargeKey(orderId), StripePaymentGateway.RefundKey(orderId));
        Assert.Equal((4250L, 4250L), _stripe.MoneyFor(orderId));
    }

    [Fact]
    public async Task RefundsEverythingGivenACaptureWhoseAnswerWasLost()
    {
        var orderId = OrderIds.NewRandom();
        _stripe.LoseNextAnswers(1, "/v1/payment_intents");
        await Assert.ThrowsAsync<PaymentGatewayUnavailableException>(() => Gateway.ChargeAsync(StripeTest.Charge(orderId), CancellationToken.None));

        var refunded = Assert.IsType<RefundResult.Refunded>(await Gateway.RefundAsync(RefundRequest.Everything(orderId), CancellationToken.None));

        Assert.Equal(PaymentsTest.Amount, refunded.Amount);
        Assert.Equal((4250L, 4250L), _stripe.MoneyFor(orderId));
    }

    [Fact]
    public async Task CancelsAPendingPaymentSoItCanNeverCaptureGivenARefund()
    {
        var orderId = OrderIds.NewRandom();
        Assert.IsType<ChargeResult.Pending>(await Gateway.ChargeAsync(StripeTest.Charge(orderId, StripeStandIn.ThreeDSecure), CancellationToken.None));

        Assert.IsType<RefundResult.NothingCharged>(await Gateway.RefundAsync(RefundRequest.Everything(orderId), CancellationToken.None));

        Assert.Equal("canceled", Assert.Single(_stripe.IntentsFor(orderId))["status"]!.GetValue<string>());
        Assert.Equal(DeclineCodes.OrderClosed, Assert.IsType<ChargeResult.Declined>(await Gateway.ChargeAsync(StripeTest.Charge(orderId), CancellationToken.None)).DeclineCode);
        Assert.Equal((0L, 0L), _stripe.MoneyFor(orderId));
    }

    [Fact]
    public async Task AnswersNothingChargedGivenADeclinedCharge()
    {
        var orderId = OrderIds.NewRandom();
        Assert.IsType<ChargeResult.Declined>(await Gateway.ChargeAsync(StripeTest.Charge(orderId, StripeStandIn.Declined), CancellationToken.None));

        Assert.IsType<RefundResult.NothingCharged>(await Gateway.RefundAsync(RefundRequest.Everything(orderId), CancellationToken.None));
        Assert.Empty(_stripe.Refunds(orderId));
    }

    [Fact]
    public async Task RejectsGivenAChargeThatIsNotTheOrders()
    {
        var orderId = OrderIds.NewRandom();
        var charge = Assert.IsType<ChargeResult.Captured>(await Gateway.ChargeAsync(StripeTest.Charge(orderId), CancellationToken.None));

        var result = await Gateway.RefundAsync(new RefundRequest(orderId, "pi_someoneelse", charge.Amount, charge.Currency), CancellationToken.None);

        Assert.Equal(RefundRejectCodes.ChargeMismatch, Assert.IsType<RefundResult.Rejected>(result).RejectCode);
        Assert.Equal((4250L, 0L), _stripe.MoneyFor(orderId));
    }

    [Fact]
    public async Task GetPaymentFindsByTheOrderIdACaptureWhoseAnswerWasLost()
    {
        var orderId = OrderIds.NewRandom();
        _stripe.LoseNextAnswers(1, "/v1/payment_intents");
        await Assert.ThrowsAsync<PaymentGatewayUnavailableException>(() => Gateway.ChargeAsync(StripeTest.Charge(orderId), CancellationToken.None));

        var payment = await Gateway.GetPaymentAsync(orderId, CancellationToken.None);

        Assert.Equal(Assert.Single(_stripe.IntentsFor(orderId))["id"]!.GetValue<string>(), payment.ChargeId);
        Assert.Equal(PaymentsTest.Amount, payment.CapturedAmount);
        Assert.Equal(0m, payment.RefundedAmount);
        Assert.Equal(PaymentsTest.Currency, payment.Currency);
        var search = Assert.Single(_stripe.Calls, c => c.Path == "/v1/payment_intents/search");
        Assert.Equal($"metadata['order_id']:'{orderId}'", search.Parameters["query"]);
    }

    [Fact]
    public async Task GetPaymentAnswersTheRefundedAmountAndNoneGivenNoCapture()
    {
        var refundedOrder = OrderIds.NewRandom();
        await Gateway.ChargeAsync(StripeTest.Charge(refundedOrder), CancellationToken.None);
        await Gateway.RefundAsync(RefundRequest.Everything(refundedOrder), CancellationToken.None);
        var pendingOrder = OrderIds.NewRandom();
        await Gateway.ChargeAsync(StripeTest.Charge(pendingOrder, StripeStandIn.ThreeDSecure), CancellationToken.None);

        var refunded = await Gateway.GetPaymentAsync(refundedOrder, CancellationToken.None);
        var pending = await Gateway.GetPaymentAsync(pendingOrder, CancellationToken.None);
        var unknown = await Gateway.GetPaymentAsync(OrderIds.NewRandom(), CancellationToken.None);

        Assert.Equal((PaymentsTest.Amount, PaymentsTest.Amount), (refunded.CapturedAmount, refunded.RefundedAmount));
        Assert.Equal(PaymentStatus.None, pending);
        Assert.Equal(PaymentStatus.None, unknown);
    }
}
