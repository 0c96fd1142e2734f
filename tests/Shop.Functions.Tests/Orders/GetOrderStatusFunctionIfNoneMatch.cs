using Microsoft.AspNetCore.Http;
using Shop.Functions.Orders;
using Shop.Functions.Orders.GetOrderStatus;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Tests.Orders.Watchdog;
using Xunit;

namespace Shop.Functions.Tests.Orders;

/// <summary>
/// Issue 14: the status monitor, polled every Retry-After seconds, answers If-None-Match with 304 while the order has not
/// changed, after one point read of the order row, and 200 with a new ETag once it has.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class GetOrderStatusFunctionIfNoneMatch(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly TableRequestLog _requests = new();
    private ShopTestServices _shop = null!;

    public async Task InitializeAsync() =>
        _shop = await ShopTestServices.StartAsync(azurite.ConnectionString, configure: _requests.Install);

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    [Fact]
    public async Task Returns200WithAnETagWhileInFlight()
    {
        var orderId = await OrderReads.SubmitAsync(_shop);

        var response = await StatusAsync(orderId);

        Assert.Equal(StatusCodes.Status200OK, response.Status);
        Assert.StartsWith("W/\"", response.Header("ETag"), StringComparison.Ordinal);
        Assert.Equal("no-cache", response.Header("Cache-Control"));
    }

    [Fact]
    public async Task Returns304AfterOnePointReadWhileNothingChanged()
    {
        var orderId = await OrderReads.SubmitAsync(_shop);
        var etag = (await StatusAsync(orderId)).Header("ETag")!;
        _requests.Clear();

        var unchanged = await StatusAsync(orderId, etag);

        Assert.Equal(StatusCodes.Status304NotModified, unchanged.Status);
        Assert.Empty(unchanged.Body);
        Assert.Equal(etag, unchanged.Header("ETag"));
        Assert.Equal("2", unchanged.Header("Retry-After"));
        var read = Assert.Single(_requests.Requests);
        Assert.Equal("GET", read.Method);
        Assert.Contains($"Orders(PartitionKey='{orderId}',RowKey='order')", read.Path, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Returns200WithANewETagOnceTheOrderChanged()
    {
        var orderId = await OrderReads.SubmitAsync(_shop);
        var etag = (await StatusAsync(orderId)).Header("ETag")!;

        await OrderReads.SetStatusAsync(_shop, orderId, OrderStatuses.Processing);
        var changed = await StatusAsync(orderId, etag);

        Assert.Equal(StatusCodes.Status200OK, changed.Status);
        Assert.Equal("Processing", changed.Json().GetProperty("status").GetString());
        Assert.NotEqual(etag, changed.Header("ETag"));
    }

    [Fact]
    public async Task Returns303NotA304OnceTheOrderEnded()
    {
        var orderId = await OrderReads.SubmitAsync(_shop);
        var etag = (await StatusAsync(orderId)).Header("ETag")!;

        await OrderReads.SetStatusAsync(_shop, orderId, OrderStatuses.Completed);
        var ended = await StatusAsync(orderId, etag);

        Assert.Equal(StatusCodes.Status303SeeOther, ended.Status);
    }

    private async Task<TestResponse> StatusAsync(string orderId, string? ifNoneMatch = null)
    {
        var headers = ifNoneMatch is null ? null : new Dictionary<string, string> { ["If-None-Match"] = ifNoneMatch };
        var request = HttpTest.Request("GET", $"/api/orders/{orderId}/status", contentType: null, headers: headers);
        var result = await _shop.Function<GetOrderStatusFunction>().GetOrderStatus(request, orderId, CancellationToken.None);
        return await HttpTest.RunAsync(request, result);
    }
}
