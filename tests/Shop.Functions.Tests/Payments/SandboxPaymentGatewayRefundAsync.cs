using Shop.Functions.Orders;
using Shop.Functions.Payments;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Payments;

[Collection(CatalogAndPaymentsStorage.Name)]
public sealed class SandboxPaymentGatewayRefundAsync(AzuriteFixture azurite) : IAsyncLifetime
{
    private ShopTestServices _shop = null!;

    private IPaymentGateway Gateway => _shop.Get<IPaymentGateway>();

    public async Task InitializeAsync() => _shop = await PaymentsTest.StartAsync(azurite);

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    [Fact]
    public async Task RefundsTheCapturedCharge()
    {
        var (orderId, charge) = await PaymentsTest.ChargedOrderAsync(Gateway);
        var before = DateTimeOffset.UtcNow;

        var result = await Gateway.RefundAsync(PaymentsTest.Refund(orderId, charge.ChargeId), CancellationToken.None);

        var refunded = Assert.IsType<RefundResult.Refunded>(result);
        Assert.StartsWith("re_", refunded.RefundId, StringComparison.Ordinal);
        Assert.Equal(charge.ChargeId, refunded.ChargeId);
        Assert.Equal(PaymentsTest.Amount, refunded.Amount);
        Assert.Equal(PaymentsTest.Currency, refunded.Currency);
        Assert.InRange(refunded.RefundedAt, before, DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task ReturnsTheFirstRefundGivenTheSameOrderRefundedAgain()
    {
        var (orderId, charge) = await PaymentsTest.ChargedOrderAsync(Gateway);

        var first = await Gateway.RefundAsync(PaymentsTest.Refund(orderId, charge.ChargeId), CancellationToken.None);
        var again = await Gateway.RefundAsync(PaymentsTest.Refund(orderId, charge.ChargeId), CancellationToken.None);

        Assert.IsType<RefundResult.Refunded>(first);
        Assert.Equal(first, again);
        Assert.Equal([SandboxChargeRow.Key, SandboxRefundRow.Key], await _shop.RowKeysAsync(orderId));
    }

    [Fact]
    public async Task RefundsOnceGivenParallelRefundsForOneOrder()
    {
        var (orderId, charge) = await PaymentsTest.ChargedOrderAsync(Gateway);

        var results = await Task.WhenAll(
            Enumerable.Range(0, 10).Select(_ => Gateway.RefundAsync(PaymentsTest.Refund(orderId, charge.ChargeId), CancellationToken.None)));

        Assert.Single(results.Cast<RefundResult.Refunded>().Select(r => r.RefundId).Distinct());
        Assert.Equal([SandboxChargeRow.Key, SandboxRefundRow.Key], await _shop.RowKeysAsync(orderId));
    }

    [Fact]
    public async Task ReturnsNothingChargedGivenAnOrderNeverCharged()
    {
        var orderId = OrderIds.NewRandom();

        var result = await Gateway.RefundAsync(PaymentsTest.Refund(orderId, chargeId: string.Empty), CancellationToken.None);

        Assert.IsType<RefundResult.NothingCharged>(result);
        // The tombstone that closes the order: a charge arriving later captures nothing.
        Assert.Equal([SandboxChargeRow.Key], await _shop.RowKeysAsync(orderId));
    }

    [Theory]
    [InlineData("tok_decline")]
    [InlineData("tok_insufficient")]
    public async Task ReturnsNothingChargedGivenADeclinedCharge(string token)
    {
        var orderId = OrderIds.NewRandom();
        Assert.IsType<ChargeResult.Declined>(await Gateway.ChargeAsync(PaymentsTest.Charge(orderId, token), CancellationToken.None));

        var result = await Gateway.RefundAsync(RefundRequest.Everything(orderId), CancellationToken.None);

        Assert.IsType<RefundResult.NothingCharged>(result);
        Assert.Equal([SandboxChargeRow.Key], await _shop.RowKeysAsync(orderId));
    }

    [Fact]
    public async Task ThrowsUnavailableEveryTimeGivenAnOrderChargedWithAnUnavailableToken()
    {
        // The provider is down for this order: the refund cannot know what happened, so it must not answer NothingCharged.
        var orderId = OrderIds.NewRandom();
        await Assert.ThrowsAsync<PaymentGatewayUnavailableException>(
            () => Gateway.ChargeAsync(PaymentsTest.Charge(orderId, "tok_unavailable"), CancellationToken.None));

        for (var attempt = 0; attempt < 3; attempt++)
        {
            await Assert.ThrowsAsync<PaymentGatewayUnavailableException>(
                () => Gateway.RefundAsync(RefundRequest.Everything(orderId), CancellationToken.None));
        }

        Assert.Equal([SandboxAttemptsRow.Key], await _shop.RowKeysAsync(orderId));
    }

    [Fact]
    public async Task RefundsTheOrdersChargeGivenNoChargeId()
    {
        // The charge was captured but its answer was lost: the order id finds it.
        var (orderId, charge) = await PaymentsTest.ChargedOrderAsync(Gateway);

        var result = await Gateway.RefundAsync(PaymentsTest.Refund(orderId, chargeId: string.Empty), CancellationToken.None);

        Assert.Equal(charge.ChargeId, Assert.IsType<RefundResult.Refunded>(result).ChargeId);
    }

    [Fact]
    public async Task RefundsPartOfTheCharge()
    {
        var (orderId, charge) = await PaymentsTest.ChargedOrderAsync(Gateway);

        var result = await Gateway.RefundAsync(PaymentsTest.Refund(orderId, charge.ChargeId, amount: 10m), CancellationToken.None);

        Assert.Equal(10m, Assert.IsType<RefundResult.Refunded>(result).Amount);
    }

    [Fact]
    public async Task RejectsGivenAnotherOrdersChargeId()
    {
        var (orderId, _) = await PaymentsTest.ChargedOrderAsync(Gateway);
        var (_, otherCharge) = await PaymentsTest.ChargedOrderAsync(Gateway);

        var result = await Gateway.RefundAsync(PaymentsTest.Refund(orderId, otherCharge.ChargeId), CancellationToken.None);

        Assert.Equal(RefundRejectCodes.ChargeMismatch, Assert.IsType<RefundResult.Rejected>(result).RejectCode);
        Assert.Equal([SandboxChargeRow.Key], await _shop.RowKeysAsync(orderId));
    }

    [Fact]
    public async Task RejectsGivenMoreThanTheChargeCaptured()
    {
        var (orderId, charge) = await PaymentsTest.ChargedOrderAsync(Gateway);

        var result = await Gateway.RefundAsync(PaymentsTest.Refund(orderId, charge.ChargeId, amount: charge.Amount + 0.01m), CancellationToken.None);

        Assert.Equal(RefundRejectCodes.AmountExceedsCharge, Assert.IsType<RefundResult.Rejected>(result).RejectCode);
    }

    [Fact]
    public async Task RejectsGivenAnotherCurrency()
    {
        var (orderId, charge) = await PaymentsTest.ChargedOrderAsync(Gateway);

        var result = await Gateway.RefundAsync(new RefundRequest(orderId, charge.ChargeId, charge.Amount, "USD"), CancellationToken.None);

        Assert.Equal(RefundRejectCodes.CurrencyMismatch, Assert.IsType<RefundResult.Rejected>(result).RejectCode);
    }

    [Fact]
    public async Task ThrowsUnavailableGivenStorageDown()
    {
        await using var down = await ShopTestServices.StartAsync(
            azurite.UnreachableConnectionString(), configure: services => services.AddPayments());

        await Assert.ThrowsAsync<PaymentGatewayUnavailableException>(
            () => down.Get<IPaymentGateway>().RefundAsync(PaymentsTest.Refund(OrderIds.NewRandom(), "ch_1"), CancellationToken.None));
    }
}
