using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Moq;
using Shop.Functions.Notifications;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Notifications;

[Collection(AzuriteCollection.Name)]
public sealed class NotificationsServiceCollectionExtensionsAddNotifications(AzuriteFixture azurite)
{
    [Theory]
    [InlineData(null)]
    [InlineData("Sandbox")]
    [InlineData("sandbox")]
    public async Task RegistersTheSandboxSenderGivenTheSandboxProvider(string? provider)
    {
        var settings = provider is null ? null : new Dictionary<string, string?> { ["Email:Provider"] = provider };
        await using var shop = await NotificationsTest.StartAsync(azurite.ConnectionString, settings);

        shop.Get<IStartupValidator>().Validate();

        Assert.IsType<SandboxEmailSender>(shop.Get<IEmailSender>());
        Assert.Same(shop.Get<IEmailSender>(), shop.Get<IEmailSender>());
    }

    [Theory]
    [InlineData("Email:Provider", "Smtp")]
    [InlineData("Email:Provider", "")]
    [InlineData("Email:From", "not-an-address")]
    [InlineData("Email:From", "Shop <orders@shop.example>")]
    [InlineData("Email:From", "orders@shop.example\r\nBcc: eve@example.com")]
    [InlineData("Email:From", "orders@bücher.example")]
    [InlineData("Email:FromName", "")]
    public async Task FailsStartupGivenAnInvalidSetting(string setting, string value)
    {
        await using var shop = await NotificationsTest.StartAsync(azurite.ConnectionString, new Dictionary<string, string?> { [setting] = value });

        var exception = Assert.Throws<OptionsValidationException>(() => shop.Get<IStartupValidator>().Validate());

        Assert.Contains(setting.Split(':')[1], exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeepsASenderRegisteredBefore()
    {
        var real = Mock.Of<IEmailSender>();

        await using var shop = await ShopTestServices.StartAsync(azurite.ConnectionString, configure: services => services.AddSingleton(real));

        Assert.Same(real, shop.Get<IEmailSender>());
    }
}
