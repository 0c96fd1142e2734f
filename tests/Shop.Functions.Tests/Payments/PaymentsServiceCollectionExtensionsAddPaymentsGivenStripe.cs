using Microsoft.Extensions.Options;
using Shop.Functions.Payments;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Payments;

[Collection(CatalogAndPaymentsStorage.Name)]
public sealed class PaymentsServiceCollectionExtensionsAddPaymentsGivenStripe(AzuriteFixture azurite)
{
    [Theory]
    [InlineData("Stripe")]
    [InlineData("stripe")]
    public async Task RegistersTheStripeGatewayGivenTheStripeProviderAndItsKeys(string provider)
    {
        var settings = StripeTest.Settings("http://127.0.0.1:9");
        settings["Payments:Provider"] = provider;
        await using var shop = await PaymentsTest.StartAsync(azurite, settings);

        shop.Get<IStartupValidator>().Validate();

        Assert.IsType<StripePaymentGateway>(shop.Get<IPaymentGateway>());
    }

    [Theory]
    [InlineData("Payments:Stripe:SecretKey")]
    [InlineData("Payments:Stripe:WebhookSecret")]
    public async Task FailsStartupGivenStripeWithoutAKey(string missing)
    {
        var settings = StripeTest.Settings("http://127.0.0.1:9");
        settings[missing] = string.Empty;
        await using var shop = await PaymentsTest.StartAsync(azurite, settings);

        var exception = Assert.Throws<OptionsValidationException>(() => shop.Get<IStartupValidator>().Validate());

        Assert.Contains(missing, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NeedsNoStripeKeysGivenTheSandbox()
    {
        await using var shop = await PaymentsTest.StartAsync(azurite);

        shop.Get<IStartupValidator>().Validate();

        Assert.IsType<SandboxPaymentGateway>(shop.Get<IPaymentGateway>());
    }
}
