using Azure;
using Azure.Data.Tables;
using Microsoft.AspNetCore.Http;
using Shop.Functions.Orders;
using Shop.Functions.Orders.GetOrder;
using Shop.Functions.Orders.GetOrderStatus;
using Shop.Functions.Orders.SubmitOrder;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Orders;

[Collection(AzuriteCollection.Name)]
public sealed class GetOrderStatusFunctionGetOrderStatus(AzuriteFixture azurite) : IAsyncLifetime
{
    private ShopTestServices _shop = null!;

    public async Task InitializeAsync() => _shop = await ShopTestServices.StartAsync(azurite.ConnectionString);

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    [Fact]
    public async Task Returns200WithStepAndRetryAfterWhileInFlight()
    {
        var orderId = await OrderReads.SubmitAsync(_shop);

        var response = await StatusAsync(orderId);

        Assert.Equal(StatusCodes.Status200OK, response.Status);
        var body = response.Json();
        Assert.Equal(orderId, body.GetProperty("orderId").GetString());
        Assert.Equal("Accepted", body.GetProperty("status").GetString());
        Assert.Equal("Submitted", body.GetProperty("step").GetString());
        Assert.True(body.GetProperty("updatedAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-5));
        Assert.Equal("2", response.Header("Retry-After"));
    }

    [Theory]
    [InlineData(OrderStatuses.Completed)]
    [InlineData(OrderStatuses.Failed)]
    [InlineData(OrderStatuses.Cancelled)]
    public async Task Returns303ToTheOrderOnceTerminal(string terminal)
    {
        var orderId = await OrderReads.SubmitAsync(_shop);
        await OrderReads.SetStatusAsync(_shop, orderId, terminal);

        var response = await StatusAsync(orderId);

        Assert.Equal(StatusCodes.Status303SeeOther, response.Status);
        Assert.Equal($"https://{HttpTest.Host}/api/orders/{orderId}", response.Header("Location"));
        Assert.Empty(response.Body);
    }

    [Theory]
    [InlineData("ord_aaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("..%2F..%2Fetc")]
    [InlineData("not-an-order")]
    public async Task Returns404ProblemGivenUnknownId(string orderId)
    {
        var response = await StatusAsync(orderId);

        SubmitOrderFunctionSubmitOrder.AssertProblem(response, StatusCodes.Status404NotFound, "urn:shop:problem:not-found");
    }

    private async Task<TestResponse> StatusAsync(string orderId)
    {
        var request = HttpTest.Request("GET", $"/api/orders/{orderId}/status", contentType: null);
        var result = await _shop.Function<GetOrderStatusFunction>().GetOrderStatus(request, orderId, CancellationToken.None);
        return await HttpTest.RunAsync(request, result);
    }
}
