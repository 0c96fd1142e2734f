using System.Text.Json;
using Azure.Messaging.ServiceBus;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Moq;
using Shop.Functions.Messaging;
using Shop.Functions.Platform.Health;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Platform.Health;

[Collection(CatalogAndPaymentsStorage.Name)]
public sealed class GetHealthFunctionGetHealth(AzuriteFixture azurite)
{
    private const string FakeServiceBus = "Endpoint=sb://localhost/;SharedAccessKeyName=test;SharedAccessKey=dGVzdA==;UseDevelopmentEmulator=true";

    [Fact]
    public async Task Returns200WithTableStorageHealthyAndNoServiceBusGivenItIsNotConfigured()
    {
        await using var shop = await ShopTestServices.StartAsync(azurite.ConnectionString);

        var response = await GetAsync(shop);

        Assert.Equal(StatusCodes.Status200OK, response.Status);
        Assert.Equal("no-store", response.Header("Cache-Control"));
        var body = response.Json();
        Assert.Equal("Healthy", body.GetProperty("status").GetString());
        var check = Assert.Single(body.GetProperty("checks").EnumerateArray());
        Assert.Equal("tableStorage", check.GetProperty("name").GetString());
        Assert.Equal("Healthy", check.GetProperty("status").GetString());
        Assert.True(check.GetProperty("latencyMs").GetInt64() >= 0);
    }

    [Fact]
    public async Task Returns503GivenStorageUnreachable()
    {
        await using var shop = await ShopTestServices.StartAsync(azurite.UnreachableConnectionString());

        var response = await GetAsync(shop);

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, response.Status);
        var check = Check(response, TableStorageHealthCheck.Name);
        Assert.Equal("Unhealthy", check.GetProperty("status").GetString());
        Assert.Equal("Table storage is unreachable.", check.GetProperty("description").GetString());
    }

    [Fact]
    public async Task PeeksThePlaceOrderQueueGivenServiceBusConfigured()
    {
        var receiver = new Mock<ServiceBusReceiver>();
        receiver.Setup(r => r.PeekMessageAsync(It.IsAny<long?>(), It.IsAny<CancellationToken>())).ReturnsAsync((ServiceBusReceivedMessage?)null);
        var client = new Mock<ServiceBusClient>();
        client.Setup(c => c.CreateReceiver(Queues.PlaceOrder)).Returns(receiver.Object);
        await using var shop = await StartWithServiceBusAsync(client.Object);

        var response = await GetAsync(shop);

        Assert.Equal(StatusCodes.Status200OK, response.Status);
        Assert.Equal("Healthy", Check(response, ServiceBusHealthCheck.Name).GetProperty("status").GetString());
        client.Verify(c => c.CreateReceiver(Queues.PlaceOrder), Times.Once);
        receiver.Verify(r => r.PeekMessageAsync(It.IsAny<long?>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task Returns503GivenServiceBusFails()
    {
        var receiver = new Mock<ServiceBusReceiver>();
        receiver.Setup(r => r.PeekMessageAsync(It.IsAny<long?>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new ServiceBusException("down", ServiceBusFailureReason.ServiceCommunicationProblem));
        var client = new Mock<ServiceBusClient>();
        client.Setup(c => c.CreateReceiver(Queues.PlaceOrder)).Returns(receiver.Object);
        await using var shop = await StartWithServiceBusAsync(client.Object);

        var response = await GetAsync(shop);

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, response.Status);
        Assert.Equal("Unhealthy", response.Json().GetProperty("status").GetString());
        Assert.Equal("Healthy", Check(response, TableStorageHealthCheck.Name).GetProperty("status").GetString());
        Assert.Equal("Service Bus failed (ServiceCommunicationProblem).", Check(response, ServiceBusHealthCheck.Name).GetProperty("description").GetString());
    }

    [Fact]
    public async Task Returns503AtTheTimeoutGivenServiceBusNeverAnswers()
    {
        var receiver = new Mock<ServiceBusReceiver>();
        receiver.Setup(r => r.PeekMessageAsync(It.IsAny<long?>(), It.IsAny<CancellationToken>()))
            .Returns(new TaskCompletionSource<ServiceBusReceivedMessage?>().Task); // ignores its token, never completes
        var client = new Mock<ServiceBusClient>();
        client.Setup(c => c.CreateReceiver(Queues.PlaceOrder)).Returns(receiver.Object);
        await using var shop = await StartWithServiceBusAsync(client.Object, timeout: "00:00:00.200");

        var response = await GetAsync(shop);

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, response.Status);
        var check = Check(response, ServiceBusHealthCheck.Name);
        Assert.Equal("Unhealthy", check.GetProperty("status").GetString());
        Assert.Equal("The check timed out.", check.GetProperty("description").GetString());
    }

    [Fact]
    public async Task ListsTheSandboxesAsTheConfiguredProvidersGivenNoProviderSettings()
    {
        await using var shop = await ShopTestServices.StartAsync(azurite.ConnectionString);

        var providers = Providers(await GetAsync(shop));

        Assert.Equal(["email", "payments"], providers.Keys.Order(StringComparer.Ordinal));
        Assert.All(providers.Values, p =>
        {
            Assert.Equal("Sandbox", p.GetProperty("provider").GetString());
            Assert.True(p.GetProperty("configured").GetBoolean());
            Assert.Empty(p.GetProperty("missing").EnumerateArray());
        });
    }

    [Fact]
    public async Task ReportsTheProvidersChosenAndTheirMissingSettingsWithoutValuesOrCalls()
    {
        const string secret = "sk_test_never_shown_123";
        var settings = new Dictionary<string, string?>
        {
            ["Email:Provider"] = "Smtp",
            ["Email:Smtp:Host"] = "127.0.0.1",
            ["Email:Smtp:Port"] = "1", // nothing listens there: a call would fail the check
            ["Email:Smtp:UserName"] = "shop",
            ["Email:Smtp:Password"] = "@Microsoft.KeyVault(SecretUri=https://kv-x.vault.azure.net/secrets/smtp-password/)",
            ["Payments:Provider"] = "Stripe",
            ["Payments:Stripe:SecretKey"] = secret,
        };
        await using var shop = await ShopTestServices.StartAsync(azurite.ConnectionString, settings);

        var response = await GetAsync(shop);

        Assert.Equal(StatusCodes.Status200OK, response.Status);
        var providers = Providers(response);
        Assert.Equal("Smtp", providers["email"].GetProperty("provider").GetString());
        Assert.False(providers["email"].GetProperty("configured").GetBoolean());
        Assert.Equal(["Email:Smtp:Password"], providers["email"].GetProperty("missing").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal("Stripe", providers["payments"].GetProperty("provider").GetString());
        Assert.False(providers["payments"].GetProperty("configured").GetBoolean());
        Assert.Equal(["Payments:Stripe:WebhookSecret"], providers["payments"].GetProperty("missing").EnumerateArray().Select(m => m.GetString()));
        Assert.DoesNotContain(secret, response.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", response.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReportsSmtpConfiguredGivenItsSettings()
    {
        var settings = new Dictionary<string, string?> { ["Email:Provider"] = "smtp", ["Email:Smtp:Host"] = "smtp.example.com" };
        await using var shop = await ShopTestServices.StartAsync(azurite.ConnectionString, settings);

        var email = Providers(await GetAsync(shop))["email"];

        Assert.Equal("smtp", email.GetProperty("provider").GetString());
        Assert.True(email.GetProperty("configured").GetBoolean());
    }

    private static Dictionary<string, JsonElement> Providers(TestResponse response) =>
        response.Json().GetProperty("providers").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!, StringComparer.Ordinal);

    private Task<ShopTestServices> StartWithServiceBusAsync(ServiceBusClient client, string timeout = "00:00:03") =>
        ShopTestServices.StartAsync(
            azurite.ConnectionString,
            new Dictionary<string, string?> { [Connections.ServiceBus] = FakeServiceBus, ["Health:Timeout"] = timeout },
            services => services.Replace(ServiceDescriptor.Singleton(client)));

    private static async Task<TestResponse> GetAsync(ShopTestServices shop)
    {
        var request = HttpTest.Request("GET", "/api/health", contentType: null);
        return await HttpTest.RunAsync(request, await shop.Function<GetHealthFunction>().GetHealth(request, CancellationToken.None));
    }

    private static JsonElement Check(TestResponse response, string name) =>
        response.Json().GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);
}
