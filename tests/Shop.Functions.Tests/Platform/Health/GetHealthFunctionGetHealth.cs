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

[Collection(AzuriteCollection.Name)]
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
