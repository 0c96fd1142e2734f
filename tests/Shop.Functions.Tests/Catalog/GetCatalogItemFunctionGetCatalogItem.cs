using Microsoft.AspNetCore.Http;
using Shop.Functions.Catalog;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Tests.Orders;
using Xunit;

namespace Shop.Functions.Tests.Catalog;

[Collection(CatalogAndPaymentsStorage.Name)]
public sealed class GetCatalogItemFunctionGetCatalogItem(AzuriteFixture azurite) : IAsyncLifetime
{
    private CatalogTest _catalog = null!;

    public async Task InitializeAsync() => _catalog = await CatalogTest.StartAsync(azurite.ConnectionString);

    public async Task DisposeAsync() => await _catalog.DisposeAsync();

    [Theory]
    [InlineData("SKU-003")]
    [InlineData("sku-003")]
    public async Task ReturnsTheSeedItemIgnoringCase(string sku)
    {
        var response = await _catalog.GetAsync(sku);

        Assert.Equal(StatusCodes.Status200OK, response.Status);
        var seed = CatalogSeed.Find("SKU-003")!;
        var body = response.Json();
        Assert.Equal("SKU-003", body.GetProperty("sku").GetString());
        Assert.Equal(seed.Name, body.GetProperty("name").GetString());
        Assert.Equal(seed.Description, body.GetProperty("description").GetString());
        Assert.Equal(seed.Price, body.GetProperty("price").GetDecimal());
        Assert.Equal(seed.Currency, body.GetProperty("currency").GetString());
        Assert.NotNull(response.Header("ETag"));
        Assert.StartsWith("public, max-age=", response.Header("Cache-Control"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SKU-999")]
    [InlineData("not a sku")]
    public async Task Returns404GivenUnknownSku(string sku)
    {
        var response = await _catalog.GetAsync(sku);

        SubmitOrderFunctionSubmitOrder.AssertProblem(response, StatusCodes.Status404NotFound, "urn:shop:problem:not-found");
    }

    [Fact]
    public async Task Returns304GivenItsETag()
    {
        var etag = (await _catalog.GetAsync("SKU-001")).Header("ETag")!;

        var notModified = await _catalog.GetAsync("SKU-001", ifNoneMatch: etag);
        var other = await _catalog.GetAsync("SKU-002", ifNoneMatch: etag);

        Assert.Equal(StatusCodes.Status304NotModified, notModified.Status);
        Assert.Empty(notModified.Body);
        Assert.Equal(StatusCodes.Status200OK, other.Status);
    }
}
