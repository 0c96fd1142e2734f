using Azure.Data.Tables;
using Shop.Functions.Orders;
using Shop.Functions.Payments;
using Shop.Functions.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Shop.Functions.Tests.Payments;

/// <summary>
/// Refund by order id (<see cref="RefundRequest.Everything"/>): gives back the whole capture, closes the order at the
/// provider so that a late charge captures nothing, and wins or loses a race with a charge without leaving money taken.
/// </summary>
[Collection(CatalogAndPaymentsStorage.Name)]
public sealed class SandboxPaymentGatewayRefundEverything(AzuriteFixture azurite, ITestOutputHelper output) : IAsyncLifetime
{
    private const int RaceIterations = 40;

    private ShopTestServices _shop = null!;

    private IPaymentGateway Gateway => _shop.Get<IPaymentGateway>();

    public async Task InitializeAsync() => _shop = await PaymentsTest.StartAsync(azurite);

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    [Fact]
    public async Task RefundsTheFullCaptureGivenOnlyTheOrderId()
    {
        var (orderId, charge) = await PaymentsTest.ChargedOrderAsync(Gateway);

        var result = await Gateway.RefundAsync(RefundRequest.Everything(orderId), CancellationToken.None);

        var refunded = Assert.IsType<RefundResult.Refunded>(result);
        Assert.Equal((charge.ChargeId, charge.Amount, charge.Currency), (refunded.ChargeId, refunded.Amount, refunded.Currency));
        Assert.Equal(new PaymentStatus(charge.ChargeId, charge.Amount, charge.Amount, charge.Currency), await Gateway.GetPaymentAsync(orderId, CancellationToken.None));
    }

    [Fact]
    public async Task ReturnsTheFirstRefundGivenRefundEverythingAgain()
    {
        var (orderId, _) = await PaymentsTest.ChargedOrderAsync(Gateway);

        var first = await Gateway.RefundAsync(RefundRequest.Everything(orderId), CancellationToken.None);
        var again = await Gateway.RefundAsync(RefundRequest.Everything(orderId), CancellationToken.None);

        Assert.IsType<RefundResult.Refunded>(first);
        Assert.Equal(first, again);
        Assert.Equal([SandboxChargeRow.Key, SandboxRefundRow.Key], await _shop.RowKeysAsync(orderId));
    }

    [Fact]
    public async Task DeclinesOrderClosedAndCapturesNothingGivenAChargeAfterARefundBeforeAnyCharge()
    {
        // The saga compensated while its charge request was still on the way: the request lands afterwards.
        var orderId = OrderIds.NewRandom();
        Assert.IsType<RefundResult.NothingCharged>(await Gateway.RefundAsync(RefundRequest.Everything(orderId), CancellationToken.None));

        var late = await Gateway.ChargeAsync(PaymentsTest.Charge(orderId), CancellationToken.None);

        Assert.Equal(DeclineCodes.OrderClosed, Assert.IsType<ChargeResult.Declined>(late).DeclineCode);
        Assert.Equal(PaymentStatus.None, await Gateway.GetPaymentAsync(orderId, CancellationToken.None));
        var row = await _shop.Tables.GetTableClient(SandboxPaymentGateway.TableName).GetEntityAsync<TableEntity>(orderId, SandboxChargeRow.Key);
        Assert.Equal(SandboxChargeRow.ClosedOutcome, row.Value.GetString(nameof(SandboxChargeRow.Outcome)));
        Assert.Null(row.Value.GetString(nameof(SandboxChargeRow.ChargeId)));
    }

    [Fact]
    public async Task DeclinesOrderClosedGivenAChargeAfterTheOrderWasRefunded()
    {
        var (orderId, charge) = await PaymentsTest.ChargedOrderAsync(Gateway);
        await Gateway.RefundAsync(RefundRequest.Everything(orderId), CancellationToken.None);

        var late = await Gateway.ChargeAsync(PaymentsTest.Charge(orderId), CancellationToken.None);

        Assert.Equal(DeclineCodes.OrderClosed, Assert.IsType<ChargeResult.Declined>(late).DeclineCode);
        Assert.Equal(new PaymentStatus(charge.ChargeId, charge.Amount, charge.Amount, charge.Currency), await Gateway.GetPaymentAsync(orderId, CancellationToken.None));
    }

    [Fact]
    public async Task ClosesTheOrderGivenARefundNamingAChargeIdThatDoesNotExist()
    {
        var orderId = OrderIds.NewRandom();

        Assert.IsType<RefundResult.NothingCharged>(await Gateway.RefundAsync(PaymentsTest.Refund(orderId, "ch_lost"), CancellationToken.None));

        Assert.IsType<ChargeResult.Declined>(await Gateway.ChargeAsync(PaymentsTest.Charge(orderId), CancellationToken.None));
    }

    [Fact]
    public async Task RejectsCurrencyMismatchGivenRefundEverythingInAnotherCurrency()
    {
        var (orderId, _) = await PaymentsTest.ChargedOrderAsync(Gateway);

        var result = await Gateway.RefundAsync(new RefundRequest(orderId, string.Empty, 0m, "USD"), CancellationToken.None);

        Assert.Equal(RefundRejectCodes.CurrencyMismatch, Assert.IsType<RefundResult.Rejected>(result).RejectCode);
    }

    [Theory]
    [InlineData(-1, "EUR")]
    [InlineData(10, "")]
    [InlineData(0, "eur")]
    public async Task ThrowsArgumentExceptionGivenAnAmountOrCurrencyThatIsNoRefund(int amount, string currency)
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(
            () => Gateway.RefundAsync(new RefundRequest(OrderIds.NewRandom(), string.Empty, amount, currency), CancellationToken.None));
    }

    [Fact]
    public async Task NeverLeavesMoneyCapturedGivenAChargeAndARefundRacingFromTwoInstances()
    {
        await using var other = await PaymentsTest.StartAsync(azurite);
        var outcomes = new List<string>();
        for (var i = 0; i < RaceIterations; i++)
        {
            var orderId = OrderIds.NewRandom();
            // Both wait at one gate; every other iteration the refund's read goes first, so both orders of arrival are raced.
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var refundFirst = i % 2 == 1;
            var charge = Task.Run(async () =>
            {
                await gate.Task;
                if (refundFirst)
                {
                    await Task.Yield();
                }

                return await Gateway.ChargeAsync(PaymentsTest.Charge(orderId), CancellationToken.None);
            });
            var refund = Task.Run(async () =>
            {
                await gate.Task;
                if (!refundFirst)
                {
                    await Task.Yield();
                }

                return await other.Get<IPaymentGateway>().RefundAsync(RefundRequest.Everything(orderId), CancellationToken.None);
            });
            gate.SetResult();
            await Task.WhenAll(charge, refund);
            var (charged, refundResult) = (await charge, await refund);

            var status = await Gateway.GetPaymentAsync(orderId, CancellationToken.None);
            switch (charged, refundResult)
            {
                case (ChargeResult.Captured captured, RefundResult.Refunded refunded):
                    Assert.Equal(captured.ChargeId, refunded.ChargeId);
                    Assert.Equal(new PaymentStatus(captured.ChargeId, captured.Amount, captured.Amount, captured.Currency), status);
                    outcomes.Add("captured-then-refunded");
                    break;
                case (ChargeResult.Declined { DeclineCode: DeclineCodes.OrderClosed }, RefundResult.NothingCharged):
                    Assert.Equal(PaymentStatus.None, status);
                    outcomes.Add("closed-never-captured");
                    break;
                default:
                    Assert.Fail($"Iteration {i}: charge {charged}, refund {refundResult}, status {status}.");
                    break;
            }

            // Whatever won, a charge arriving later still takes nothing.
            Assert.IsType<ChargeResult.Declined>(await other.Get<IPaymentGateway>().ChargeAsync(PaymentsTest.Charge(orderId), CancellationToken.None));
        }

        output.WriteLine(string.Join(", ", outcomes.GroupBy(o => o).Select(g => $"{g.Key}: {g.Count()}")));
        Assert.Equal(RaceIterations, outcomes.Count);
    }
}
