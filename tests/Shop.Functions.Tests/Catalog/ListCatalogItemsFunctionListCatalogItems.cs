using Microsoft.AspNetCore.Http;
using Shop.Functions.Catalog;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Tests.Orders;
using Xunit;

namespace Shop.Functions.Tests.Catalog;

[Collection(CatalogAndPaymentsStorage.Name)]
public sealed class ListCatalogItemsFunctionListCatalogItems(AzuriteFixture azurite) : IAsyncLifetime
{
    private CatalogTest _catalog = null!;

    public async Task InitializeAsync() => _catalog = await CatalogTest.StartAsync(azurite.ConnectionString);

    public async Task DisposeAsync() => await _catalog.DisposeAsync();

    [Fact]
    public async Task ReturnsTheFirstItemsByNameWithSeedPrices()
    {
        var response = await _catalog.ListAsync("?top=5&sort=name");

        Assert.Equal(StatusCodes.Status200OK, response.Status);
        var body = response.Json();
        Assert.Equal("name", body.GetProperty("sort").GetString());
        Assert.Equal(5, body.GetProperty("top").GetInt32());
        var expected = CatalogSeed.Items.OrderBy(i => i.Name, StringComparer.OrdinalIgnoreCase).ThenBy(i => i.Sku, StringComparer.Ordinal).Take(5).ToList();
        var items = body.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(expected.Select(i => i.Sku), items.Select(i => i.GetProperty("sku").GetString()));
        Assert.Equal(expected.Select(i => i.Price), items.Select(i => i.GetProperty("price").GetDecimal()));
        Assert.Equal(expected.Select(i => i.Currency), items.Select(i => i.GetProperty("currency").GetString()));
    }

    [Fact]
    public async Task ReturnsTenPopularItemsGivenNoQuery()
    {
        var body = (await _catalog.ListAsync()).Json();

        Assert.Equal("popular", body.GetProperty("sort").GetString());
        Assert.Equal(10, body.GetProperty("items").GetArrayLength());
        var sold = body.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("unitsSold").GetInt64()).ToList();
        Assert.Equal(sold.OrderDescending(), sold);
    }

    [Fact]
    public async Task ReturnsFiftyGivenTopFifty() =>
        Assert.Equal(Math.Min(50, CatalogSeed.Items.Count), (await _catalog.ListAsync("?top=50")).Json().GetProperty("items").GetArrayLength());

    [Theory]
    [InlineData("?top=0")]
    [InlineData("?top=51")]
    [InlineData("?top=-1")]
    [InlineData("?top=ten")]
    [InlineData("?top=")]
    [InlineData("?top=1&top=2")]
    public async Task Returns400GivenTopOutsideOneToFifty(string query)
    {
        var response = await _catalog.ListAsync(query);

        SubmitOrderFunctionSubmitOrder.AssertProblem(response, StatusCodes.Status400BadRequest, "urn:shop:problem:validation-failed");
        Assert.True(response.Json().GetProperty("errors").TryGetProperty("top", out _));
    }

    [Theory]
    [InlineData("?sort=price")]
    [InlineData("?sort=Popular")]
    [InlineData("?sort=")]
    public async Task Returns400GivenUnknownSort(string query)
    {
        var response = await _catalog.ListAsync(query);

        SubmitOrderFunctionSubmitOrder.AssertProblem(response, StatusCodes.Status400BadRequest, "urn:shop:problem:validation-failed");
        Assert.True(response.Json().GetProperty("errors").TryGetProperty("sort", out _));
    }

    [Fact]
    public async Task MakesNoStorageCallGivenASecondReadWithinTheTtl()
    {
        var first = await _catalog.ListAsync("?top=3");
        var afterFirst = _catalog.StorageCalls.Count;
        _catalog.Time.Advance(_catalog.Ttl - TimeSpan.FromSeconds(1));

        var second = await _catalog.ListAsync("?top=3");
        var other = await _catalog.ListAsync("?top=7&sort=name");
        var item = await _catalog.GetAsync("SKU-002");

        Assert.Equal(afterFirst, _catalog.StorageCalls.Count);
        Assert.Equal(first.Body, second.Body);
        Assert.All([second, other, item], r => Assert.Equal(StatusCodes.Status200OK, r.Status));
        Assert.StartsWith("Shop; fwd=miss; stored", first.Header("Cache-Status"), StringComparison.Ordinal);
        Assert.Equal("Shop; hit; ttl=1", second.Header("Cache-Status"));
        Assert.Equal("public, max-age=1", second.Header("Cache-Control"));
    }

    [Fact]
    public async Task ReadsStorageAgainGivenTheTtlHasPassed()
    {
        await _catalog.ListAsync();
        var afterFirst = _catalog.StorageCalls.Count;
        _catalog.Time.Advance(_catalog.Ttl);

        var response = await _catalog.ListAsync();

        Assert.True(_catalog.StorageCalls.Count > afterFirst);
        Assert.Equal($"public, max-age={(int)_catalog.Ttl.TotalSeconds}", response.Header("Cache-Control"));
    }

    [Fact]
    public async Task Returns304GivenTheETagOfTheSameAnswer()
    {
        var first = await _catalog.ListAsync("?top=4&sort=name");
        var etag = first.Header("ETag")!;

        var notModified = await _catalog.ListAsync("?top=4&sort=name", ifNoneMatch: etag);
        var otherQuery = await _catalog.ListAsync("?top=5&sort=name", ifNoneMatch: etag);
        var weak = await _catalog.ListAsync("?top=4&sort=name", ifNoneMatch: $"\"other\", W/{etag}");

        Assert.Equal(StatusCodes.Status304NotModified, notModified.Status);
        Assert.Empty(notModified.Body);
        Assert.Equal(etag, notModified.Header("ETag"));
        Assert.NotNull(notModified.Header("Cache-Control"));
        Assert.Equal(StatusCodes.Status200OK, otherQuery.Status);
        Assert.NotEqual(etag, otherQuery.Header("ETag"));
        Assert.Equal(StatusCodes.Status304NotModified, weak.Status);
    }
}
