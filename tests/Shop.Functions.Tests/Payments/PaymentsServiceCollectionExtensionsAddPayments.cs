using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Moq;
using Shop.Functions.Payments;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Payments;

[Collection(CatalogAndPaymentsStorage.Name)]
public sealed class PaymentsServiceCollectionExtensionsAddPayments(AzuriteFixture azurite)
{
    [Theory]
    [InlineData(null)]
    [InlineData("Sandbox")]
    [InlineData("sandbox")]
    public async Task RegistersTheSandboxGatewayGivenTheSandboxProvider(string? provider)
    {
        var settings = provider is null ? null : new Dictionary<string, string?> { ["Payments:Provider"] = provider };
        await using var shop = await PaymentsTest.StartAsync(azurite, settings);

        shop.Get<IStartupValidator>().Validate();

        Assert.IsType<SandboxPaymentGateway>(shop.Get<IPaymentGateway>());
        Assert.Same(shop.Get<IPaymentGateway>(), shop.Get<IPaymentGateway>());
    }

    [Theory]
    [InlineData("Adyen")]
    [InlineData("")]
    public async Task FailsStartupGivenAnUnknownProvider(string provider)
    {
        await using var shop = await PaymentsTest.StartAsync(azurite, new Dictionary<string, string?> { ["Payments:Provider"] = provider });

        var exception = Assert.Throws<OptionsValidationException>(() => shop.Get<IStartupValidator>().Validate());

        Assert.Contains("Payments:Provider", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeepsAGatewayRegisteredBefore()
    {
        var real = Mock.Of<IPaymentGateway>();

        await using var shop = await PaymentsTest.StartAsync(azurite, configure: services => services.AddSingleton(real));

        Assert.Same(real, shop.Get<IPaymentGateway>());
    }
}
