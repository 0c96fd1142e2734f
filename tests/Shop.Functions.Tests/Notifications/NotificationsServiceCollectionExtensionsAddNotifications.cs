using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Moq;
using Shop.Functions.Notifications;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Notifications;

[Collection(CatalogAndPaymentsStorage.Name)]
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
    [InlineData("Email:Provider", "Mailgun")]
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

    [Theory]
    [InlineData("Smtp")]
    [InlineData("smtp")]
    public async Task RegistersTheSmtpSenderGivenTheSmtpProvider(string provider)
    {
        var settings = SendEmailConsumerSendEmailOverSmtp.Settings(2525);
        settings["Email:Provider"] = provider;
        await using var shop = await NotificationsTest.StartAsync(azurite.ConnectionString, settings);

        shop.Get<IStartupValidator>().Validate();

        Assert.IsType<SmtpEmailSender>(shop.Get<IEmailSender>());
    }

    [Theory]
    [InlineData("Email:Smtp:Host", "", "Host")]
    [InlineData("Email:Smtp:Host", "mail example.com", "Host")]
    [InlineData("Email:Smtp:Port", "0", "Port")]
    [InlineData("Email:Smtp:Port", "70000", "Port")]
    [InlineData("Email:Smtp:UserName", "shop", "Password")]
    [InlineData("Email:Smtp:Password", "s3cret", "UserName")]
    [InlineData("Email:Smtp:Timeout", "00:00:00.010", "Timeout")]
    public async Task FailsStartupGivenAnUnusableSmtpSetting(string setting, string value, string named)
    {
        var settings = SendEmailConsumerSendEmailOverSmtp.Settings(2525);
        settings[setting] = value;
        await using var shop = await NotificationsTest.StartAsync(azurite.ConnectionString, settings);

        var exception = Assert.Throws<OptionsValidationException>(() => shop.Get<IStartupValidator>().Validate());

        Assert.Contains($"Email:Smtp:{named}", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailsStartupGivenAPasswordThatWouldTravelInPlainTextToAnotherMachine()
    {
        var settings = SendEmailConsumerSendEmailOverSmtp.Settings(587, "shop", "s3cret");
        settings["Email:Smtp:Host"] = "smtp.example.com";
        await using var shop = await NotificationsTest.StartAsync(azurite.ConnectionString, settings);

        var exception = Assert.Throws<OptionsValidationException>(() => shop.Get<IStartupValidator>().Validate());

        Assert.Contains("plain text", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IgnoresSmtpSettingsGivenTheSandboxProvider()
    {
        await using var shop = await NotificationsTest.StartAsync(azurite.ConnectionString, new Dictionary<string, string?> { ["Email:Smtp:Port"] = "0" });

        shop.Get<IStartupValidator>().Validate();

        Assert.IsType<SandboxEmailSender>(shop.Get<IEmailSender>());
    }

    [Fact]
    public async Task KeepsASenderRegisteredBefore()
    {
        var real = Mock.Of<IEmailSender>();

        await using var shop = await ShopTestServices.StartAsync(azurite.ConnectionString, configure: services => services.AddSingleton(real));

        Assert.Same(real, shop.Get<IEmailSender>());
    }
}
