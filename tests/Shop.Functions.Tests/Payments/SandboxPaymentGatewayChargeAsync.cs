using Shop.Functions.Orders;
using Shop.Functions.Payments;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Payments;

[Collection(CatalogAndPaymentsStorage.Name)]
public sealed class SandboxPaymentGatewayChargeAsync(AzuriteFixture azurite) : IAsyncLifetime
{
    private ShopTestServices _shop = null!;

    private IPaymentGateway Gateway => _shop.Get<IPaymentGateway>();

    public async Task InitializeAsync() => _shop = await PaymentsTest.StartAsync(azurite);

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    [Theory]
    [InlineData("tok_visa")]
    [InlineData("tok_visa_secret_123")]
    [InlineData("tok_mastercard")]
    public async Task CapturesGivenAnOrdinaryToken(string token)
    {
        var orderId = OrderIds.NewRandom();
        var before = DateTimeOffset.UtcNow;

        var result = await Gateway.ChargeAsync(PaymentsTest.Charge(orderId, token), CancellationToken.None);

        var captured = Assert.IsType<ChargeResult.Captured>(result);
        Assert.StartsWith("ch_", captured.ChargeId, StringComparison.Ordinal);
        Assert.True(captured.ChargeId.Length > 20);
        Assert.Equal(PaymentsTest.Amount, captured.Amount);
        Assert.Equal(PaymentsTest.Currency, captured.Currency);
        Assert.InRange(captured.CapturedAt, before, DateTimeOffset.UtcNow);
        Assert.Equal([SandboxChargeRow.Key], await _shop.RowKeysAsync(orderId));
    }

    [Fact]
    public async Task TakesOneRoundTripThenReplaysTheFirstChargeGivenAnOrdinaryTokenChargedTwice()
    {
        var calls = new StorageCallCounter();
        await using var shop = await PaymentsTest.StartAsync(azurite, configure: calls.Install);
        var gateway = shop.Get<IPaymentGateway>();
        var orderId = OrderIds.NewRandom();

        var before = calls.Count;
        var first = Assert.IsType<ChargeResult.Captured>(await gateway.ChargeAsync(PaymentsTest.Charge(orderId), CancellationToken.None));
        var firstCalls = calls.Count - before;
        var second = Assert.IsType<ChargeResult.Captured>(await gateway.ChargeAsync(PaymentsTest.Charge(orderId), CancellationToken.None));

        // The insert is the check: no read before it. The repeat's insert answers 409, and the first charge is read and answered.
        Assert.Equal(1, firstCalls);
        Assert.Equal(first.ChargeId, second.ChargeId);
        Assert.Equal([SandboxChargeRow.Key], await shop.RowKeysAsync(orderId));
    }

    [Theory]
    [InlineData("tok_decline", DeclineCodes.CardDeclined)]
    [InlineData("tok_decline_stolen_card", DeclineCodes.CardDeclined)]
    [InlineData("tok_insufficient", DeclineCodes.InsufficientFunds)]
    [InlineData("tok_insufficient_funds", DeclineCodes.InsufficientFunds)]
    public async Task DeclinesGivenADeclineToken(string token, string declineCode)
    {
        var result = await Gateway.ChargeAsync(PaymentsTest.Charge(OrderIds.NewRandom(), token), CancellationToken.None);

        var declined = Assert.IsType<ChargeResult.Declined>(result);
        Assert.Equal(declineCode, declined.DeclineCode);
        Assert.False(string.IsNullOrEmpty(declined.Message));
    }

    [Fact]
    public async Task ThrowsUnavailableEveryTimeGivenAnUnavailableToken()
    {
        var orderId = OrderIds.NewRandom();

        for (var attempt = 0; attempt < 4; attempt++)
        {
            await Assert.ThrowsAsync<PaymentGatewayUnavailableException>(
                () => Gateway.ChargeAsync(PaymentsTest.Charge(orderId, "tok_unavailable"), CancellationToken.None));
        }

        // Only the outage's record, which the order's refunds and queries read: nothing was charged.
        Assert.Equal([SandboxAttemptsRow.Key], await _shop.RowKeysAsync(orderId));
    }

    [Fact]
    public async Task ThrowsTwiceThenCapturesGivenAFlakyToken()
    {
        var orderId = OrderIds.NewRandom();
        var request = PaymentsTest.Charge(orderId, "tok_flaky");

        await Assert.ThrowsAsync<PaymentGatewayUnavailableException>(() => Gateway.ChargeAsync(request, CancellationToken.None));
        await Assert.ThrowsAsync<PaymentGatewayUnavailableException>(() => Gateway.ChargeAsync(request, CancellationToken.None));
        var third = Assert.IsType<ChargeResult.Captured>(await Gateway.ChargeAsync(request, CancellationToken.None));
        var fourth = await Gateway.ChargeAsync(request, CancellationToken.None);

        Assert.Equal(third, fourth);
        Assert.Equal([SandboxAttemptsRow.Key, SandboxChargeRow.Key], await _shop.RowKeysAsync(orderId));
    }

    [Fact]
    public async Task CountsFlakyAttemptsAcrossGatewayInstances()
    {
        // A restart or another instance: a new container, the same storage.
        var orderId = OrderIds.NewRandom();
        var request = PaymentsTest.Charge(orderId, "tok_flaky");
        await using var other = await PaymentsTest.StartAsync(azurite);

        await Assert.ThrowsAsync<PaymentGatewayUnavailableException>(() => Gateway.ChargeAsync(request, CancellationToken.None));
        await Assert.ThrowsAsync<PaymentGatewayUnavailableException>(() => other.Get<IPaymentGateway>().ChargeAsync(request, CancellationToken.None));
        var captured = await Gateway.ChargeAsync(request, CancellationToken.None);

        Assert.Equal(captured, await other.Get<IPaymentGateway>().ChargeAsync(request, CancellationToken.None));
    }

    [Fact]
    public async Task ReturnsTheFirstChargeGivenTheSameOrderChargedAgain()
    {
        var orderId = OrderIds.NewRandom();

        var first = await Gateway.ChargeAsync(PaymentsTest.Charge(orderId), CancellationToken.None);
        var again = await Gateway.ChargeAsync(PaymentsTest.Charge(orderId), CancellationToken.None);
        // Even another token or amount cannot charge the order a second time.
        var otherToken = await Gateway.ChargeAsync(PaymentsTest.Charge(orderId, "tok_decline", amount: 99m), CancellationToken.None);

        Assert.IsType<ChargeResult.Captured>(first);
        Assert.Equal(first, again);
        Assert.Equal(first, otherToken);
        Assert.Equal([SandboxChargeRow.Key], await _shop.RowKeysAsync(orderId));
    }

    [Fact]
    public async Task ReturnsTheFirstDeclineGivenADeclinedOrderChargedAgain()
    {
        var orderId = OrderIds.NewRandom();

        var first = await Gateway.ChargeAsync(PaymentsTest.Charge(orderId, "tok_insufficient"), CancellationToken.None);
        var again = await Gateway.ChargeAsync(PaymentsTest.Charge(orderId, "tok_visa"), CancellationToken.None);

        Assert.IsType<ChargeResult.Declined>(first);
        Assert.Equal(first, again);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(10)]
    public async Task ChargesOnceGivenParallelChargesForOneOrder(int callers)
    {
        var orderId = OrderIds.NewRandom();

        var results = await Task.WhenAll(
            Enumerable.Range(0, callers).Select(_ => Gateway.ChargeAsync(PaymentsTest.Charge(orderId), CancellationToken.None)));

        Assert.Single(results.Cast<ChargeResult.Captured>().Select(c => c.ChargeId).Distinct());
        Assert.Equal([SandboxChargeRow.Key], await _shop.RowKeysAsync(orderId));
    }

    [Fact]
    public async Task ChargesOnceGivenParallelChargesFromTwoInstances()
    {
        var orderId = OrderIds.NewRandom();
        await using var other = await PaymentsTest.StartAsync(azurite);
        var request = PaymentsTest.Charge(orderId);

        var results = await Task.WhenAll(
            Enumerable.Range(0, 10).Select(i => (i % 2 == 0 ? Gateway : other.Get<IPaymentGateway>()).ChargeAsync(request, CancellationToken.None)));

        Assert.Single(results.Cast<ChargeResult.Captured>().Select(c => c.ChargeId).Distinct());
    }

    [Fact]
    public async Task ThrowsUnavailableGivenStorageDown()
    {
        await using var down = await ShopTestServices.StartAsync(
            azurite.UnreachableConnectionString(), configure: services => services.AddPayments());

        var exception = await Assert.ThrowsAsync<PaymentGatewayUnavailableException>(
            () => down.Get<IPaymentGateway>().ChargeAsync(PaymentsTest.Charge(OrderIds.NewRandom()), CancellationToken.None));

        Assert.NotNull(exception.InnerException);
    }

    [Theory]
    [InlineData("", "tok_visa", 1, "EUR")]
    [InlineData("ord/1", "tok_visa", 1, "EUR")]
    [InlineData("ord_1", "", 1, "EUR")]
    [InlineData("ord_1", "tok_visa", 0, "EUR")]
    [InlineData("ord_1", "tok_visa", -5, "EUR")]
    [InlineData("ord_1", "tok_visa", 1, "eur")]
    [InlineData("ord_1", "tok_visa", 1, "EURO")]
    public async Task ThrowsArgumentExceptionGivenAnInvalidRequest(string orderId, string token, int amount, string currency)
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(
            () => Gateway.ChargeAsync(new ChargeRequest(orderId, token, amount, currency), CancellationToken.None));
    }
}
