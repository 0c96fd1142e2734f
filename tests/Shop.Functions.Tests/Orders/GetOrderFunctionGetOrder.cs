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
public sealed class GetOrderFunctionGetOrder(AzuriteFixture azurite) : IAsyncLifetime
{
    private ShopTestServices _shop = null!;

    public async Task InitializeAsync() => _shop = await ShopTestServices.StartAsync(azurite.ConnectionString);

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    [Fact]
    public async Task Returns200WithOrderAndETag()
    {
        var orderId = await OrderReads.SubmitAsync(_shop);

        var response = await GetAsync(orderId);

        Assert.Equal(StatusCodes.Status200OK, response.Status);
        var body = response.Json();
        Assert.Equal(orderId, body.GetProperty("orderId").GetString());
        Assert.Equal("Accepted", body.GetProperty("status").GetString());
        Assert.Equal(["SKU-001", "SKU-002"], body.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("sku").GetString()));
        Assert.Equal("Submitted", Assert.Single(body.GetProperty("steps").EnumerateArray()).GetProperty("name").GetString());
        Assert.StartsWith("W/\"", response.Header("ETag"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LeavesPaymentAndContactDetailsOut()
    {
        var orderId = await OrderReads.SubmitAsync(_shop);

        var response = await GetAsync(orderId);

        Assert.DoesNotContain("tok_visa_secret_123", response.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("ada@example.com", response.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("Analytical Way", response.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Returns304GivenCurrentETagAnd200OnceChanged()
    {
        var orderId = await OrderReads.SubmitAsync(_shop);
        var etag = (await GetAsync(orderId)).Header("ETag")!;

        var unchanged = await GetAsync(orderId, etag);
        Assert.Equal(StatusCodes.Status304NotModified, unchanged.Status);
        Assert.Equal(etag, unchanged.Header("ETag"));
        Assert.Empty(unchanged.Body);

        await OrderReads.SetStatusAsync(_shop, orderId, OrderStatuses.Completed);
        var changed = await GetAsync(orderId, etag);
        Assert.Equal(StatusCodes.Status200OK, changed.Status);
        Assert.Equal("Completed", changed.Json().GetProperty("status").GetString());
        Assert.NotEqual(etag, changed.Header("ETag"));
    }

    [Fact]
    public async Task Returns404ProblemGivenUnknownId()
    {
        var response = await GetAsync(OrderIds.NewRandom());

        SubmitOrderFunctionSubmitOrder.AssertProblem(response, StatusCodes.Status404NotFound, "urn:shop:problem:not-found");
    }

    [Fact]
    public async Task Returns503ProblemGivenStorageDown()
    {
        await using var down = await ShopTestServices.StartAsync(azurite.UnreachableConnectionString());
        var orderId = OrderIds.NewRandom();
        var request = HttpTest.Request("GET", $"/api/orders/{orderId}", contentType: null);

        var response = await HttpTest.RunAsync(request, await down.Function<GetOrderFunction>().GetOrder(request, orderId, CancellationToken.None));

        SubmitOrderFunctionSubmitOrder.AssertProblem(response, StatusCodes.Status503ServiceUnavailable, "urn:shop:problem:dependency-unavailable");
        Assert.NotNull(response.Header("Retry-After"));
    }

    private async Task<TestResponse> GetAsync(string orderId, string? ifNoneMatch = null)
    {
        var headers = ifNoneMatch is null ? null : new Dictionary<string, string> { ["If-None-Match"] = ifNoneMatch };
        var request = HttpTest.Request("GET", $"/api/orders/{orderId}", contentType: null, headers: headers);
        var result = await _shop.Function<GetOrderFunction>().GetOrder(request, orderId, CancellationToken.None);
        return await HttpTest.RunAsync(request, result);
    }
}
