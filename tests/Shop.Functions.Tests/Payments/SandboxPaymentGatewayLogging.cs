using Microsoft.Extensions.Logging;
using Shop.Functions.Orders;
using Shop.Functions.Payments;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Payments;

[Collection(CatalogAndPaymentsStorage.Name)]
public sealed class SandboxPaymentGatewayLogging(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string Secret = "s3cr3t_card_material";

    private readonly string _flakyOrderId = OrderIds.NewRandom();
    private ShopTestServices _shop = null!;

    private IPaymentGateway Gateway => _shop.Get<IPaymentGateway>();

    public async Task InitializeAsync() => _shop = await PaymentsTest.StartAsync(azurite);

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    [Fact]
    public void WarnsThatPaymentsAreSimulated()
    {
        _ = Gateway;

        var warning = Assert.Single(_shop.Logs.Records, r => r.Category == typeof(SandboxPaymentGateway).FullName && r.Message.Contains("SIMULATED", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, warning.Level);
    }

    [Fact]
    public async Task NeverLogsThePaymentToken()
    {
        var exceptions = new List<Exception>();
        foreach (var prefix in new[] { "tok_visa", "tok_decline", "tok_insufficient", "tok_flaky", "tok_flaky", "tok_flaky", "tok_unavailable" })
        {
            var orderId = prefix == "tok_flaky" ? _flakyOrderId : OrderIds.NewRandom();
            try
            {
                await Gateway.ChargeAsync(PaymentsTest.Charge(orderId, $"{prefix}_{Secret}"), CancellationToken.None);
                await Gateway.ChargeAsync(PaymentsTest.Charge(orderId, $"{prefix}_{Secret}", amount: 1m), CancellationToken.None);
                await Gateway.RefundAsync(PaymentsTest.Refund(orderId, string.Empty), CancellationToken.None);
            }
            catch (PaymentGatewayUnavailableException ex)
            {
                exceptions.Add(ex);
            }
        }

        Assert.Equal(3, exceptions.Count);
        Assert.All(exceptions, ex => Assert.DoesNotContain(Secret, ex.ToString(), StringComparison.Ordinal));
        Assert.NotEmpty(_shop.Logs.Records);
        Assert.All(_shop.Logs.Records, record =>
        {
            Assert.DoesNotContain(Secret, record.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(Secret, record.Exception?.ToString() ?? string.Empty, StringComparison.Ordinal);
            Assert.DoesNotContain(record.Scope.Values, value => value?.ToString()?.Contains(Secret, StringComparison.Ordinal) == true);
        });
    }

    [Fact]
    public async Task LogsTheOrderChargeAndAmountOfACapture()
    {
        var (orderId, charge) = await PaymentsTest.ChargedOrderAsync(Gateway);

        Assert.Contains(_shop.Logs.Records, record =>
            record.Message.Contains(orderId, StringComparison.Ordinal)
            && record.Message.Contains(charge.ChargeId, StringComparison.Ordinal)
            && record.Message.Contains("42.5", StringComparison.Ordinal));
    }

    [Fact]
    public void LeavesTheTokenOutOfTheRequestsText()
    {
        var request = PaymentsTest.Charge("ord_1", $"tok_visa_{Secret}");

        Assert.DoesNotContain(Secret, request.ToString(), StringComparison.Ordinal);
        Assert.Contains("ord_1", request.ToString(), StringComparison.Ordinal);
    }
}
