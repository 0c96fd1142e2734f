using Shop.Functions.Orders;
using Shop.Functions.Payments;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Payments;

/// <summary>The outcome query: what the provider holds for an order, found by its id, even when the charge's answer was lost.</summary>
[Collection(CatalogAndPaymentsStorage.Name)]
public sealed class SandboxPaymentGatewayGetPaymentAsync(AzuriteFixture azurite) : IAsyncLifetime
{
    private ShopTestServices _shop = null!;

    private IPaymentGateway Gateway => _shop.Get<IPaymentGateway>();

    public async Task InitializeAsync() => _shop = await PaymentsTest.StartAsync(azurite);

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    [Fact]
    public async Task FindsTheCaptureGivenAChargeWhoseAnswerWasLost()
    {
        // The charge reached the provider but its answer never came back; another instance asks by order id.
        var orderId = OrderIds.NewRandom();
        _ = await Gateway.ChargeAsync(PaymentsTest.Charge(orderId), CancellationToken.None);
        await using var other = await PaymentsTest.StartAsync(azurite);

        var status = await other.Get<IPaymentGateway>().GetPaymentAsync(orderId, CancellationToken.None);

        Assert.StartsWith("ch_", status.ChargeId, StringComparison.Ordinal);
        Assert.Equal((PaymentsTest.Amount, 0m, PaymentsTest.Currency), (status.CapturedAmount, status.RefundedAmount, status.Currency));
        var replay = Assert.IsType<ChargeResult.Captured>(await Gateway.ChargeAsync(PaymentsTest.Charge(orderId), CancellationToken.None));
        Assert.Equal(replay.ChargeId, status.ChargeId);
    }

    [Fact]
    public async Task ReturnsNoneGivenAnOrderNeverCharged()
    {
        var orderId = OrderIds.NewRandom();

        Assert.Equal(PaymentStatus.None, await Gateway.GetPaymentAsync(orderId, CancellationToken.None));
        Assert.Empty(await _shop.RowKeysAsync(orderId)); // asking wrote nothing, and closed nothing
        Assert.IsType<ChargeResult.Captured>(await Gateway.ChargeAsync(PaymentsTest.Charge(orderId), CancellationToken.None));
    }

    [Fact]
    public async Task ReturnsNoneGivenADeclinedCharge()
    {
        var orderId = OrderIds.NewRandom();
        await Gateway.ChargeAsync(PaymentsTest.Charge(orderId, "tok_decline"), CancellationToken.None);

        Assert.Equal(PaymentStatus.None, await Gateway.GetPaymentAsync(orderId, CancellationToken.None));
    }

    [Fact]
    public async Task ReturnsTheRefundedAmountGivenAPartlyRefundedOrder()
    {
        var (orderId, charge) = await PaymentsTest.ChargedOrderAsync(Gateway);
        await Gateway.RefundAsync(PaymentsTest.Refund(orderId, charge.ChargeId, amount: 10m), CancellationToken.None);

        Assert.Equal(new PaymentStatus(charge.ChargeId, PaymentsTest.Amount, 10m, PaymentsTest.Currency), await Gateway.GetPaymentAsync(orderId, CancellationToken.None));
    }

    [Fact]
    public async Task ThrowsUnavailableEveryTimeGivenAnOrderChargedWithAnUnavailableToken()
    {
        var orderId = OrderIds.NewRandom();
        await Assert.ThrowsAsync<PaymentGatewayUnavailableException>(
            () => Gateway.ChargeAsync(PaymentsTest.Charge(orderId, "tok_unavailable"), CancellationToken.None));

        for (var attempt = 0; attempt < 3; attempt++)
        {
            await Assert.ThrowsAsync<PaymentGatewayUnavailableException>(() => Gateway.GetPaymentAsync(orderId, CancellationToken.None));
        }
    }

    [Fact]
    public async Task FailsUntilTheOrderHadTwoFailedCallsGivenAFlakyToken()
    {
        // One charge failed; the provider fails one more call about the order, whichever it is, then answers.
        var orderId = OrderIds.NewRandom();
        await Assert.ThrowsAsync<PaymentGatewayUnavailableException>(
            () => Gateway.ChargeAsync(PaymentsTest.Charge(orderId, "tok_flaky"), CancellationToken.None));

        await Assert.ThrowsAsync<PaymentGatewayUnavailableException>(() => Gateway.GetPaymentAsync(orderId, CancellationToken.None));
        Assert.Equal(PaymentStatus.None, await Gateway.GetPaymentAsync(orderId, CancellationToken.None));
        Assert.IsType<ChargeResult.Captured>(await Gateway.ChargeAsync(PaymentsTest.Charge(orderId, "tok_flaky"), CancellationToken.None));
        Assert.Equal(PaymentsTest.Amount, (await Gateway.GetPaymentAsync(orderId, CancellationToken.None)).CapturedAmount);
    }

    [Fact]
    public async Task ThrowsUnavailableGivenStorageDown()
    {
        await using var down = await ShopTestServices.StartAsync(
            azurite.UnreachableConnectionString(), configure: services => services.AddPayments());

        await Assert.ThrowsAsync<PaymentGatewayUnavailableException>(
            () => down.Get<IPaymentGateway>().GetPaymentAsync(OrderIds.NewRandom(), CancellationToken.None));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    public async Task ThrowsArgumentExceptionGivenAnIdThatIsNoOrderId(string orderId)
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Gateway.GetPaymentAsync(orderId, CancellationToken.None));
    }
}
