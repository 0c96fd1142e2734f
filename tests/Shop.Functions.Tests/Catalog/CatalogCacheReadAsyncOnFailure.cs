using Microsoft.AspNetCore.Http;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Tests.Orders;
using Xunit;

namespace Shop.Functions.Tests.Catalog;

/// <summary>Storage failing under the catalog API: the last good answer, marked stale; 503 only when there is none.</summary>
[Collection(CatalogAndPaymentsStorage.Name)]
public sealed class CatalogCacheReadAsyncOnFailure(AzuriteFixture azurite) : IAsyncLifetime
{
    private CatalogTest _catalog = null!;

    public async Task InitializeAsync() => _catalog = await CatalogTest.StartAsync(azurite.ConnectionString);

    public async Task DisposeAsync() => await _catalog.DisposeAsync();

    [Fact]
    public async Task ServesTheLastGoodAnswerMarkedStaleGivenAStorageFault()
    {
        var good = await _catalog.ListAsync("?top=5&sort=name");
        var goodItem = await _catalog.GetAsync("SKU-004");
        _catalog.StorageFaults = true;
        _catalog.Time.Advance(_catalog.Ttl + TimeSpan.FromSeconds(5));

        var stale = await _catalog.ListAsync("?top=5&sort=name");
        var staleItem = await _catalog.GetAsync("SKU-004");

        Assert.True(_catalog.FaultsInjected >= 1);
        Assert.Equal(StatusCodes.Status200OK, stale.Status);
        Assert.Equal(good.Body, stale.Body);
        Assert.Equal(good.Header("ETag"), stale.Header("ETag"));
        Assert.Equal("no-cache", stale.Header("Cache-Control"));
        Assert.Equal("Shop; fwd=stale; ttl=-5; detail=storage-unavailable", stale.Header("Cache-Status"));
        Assert.Equal(goodItem.Body, staleItem.Body);
        Assert.Contains("fwd=stale", staleItem.Header("Cache-Status"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnswersAQueryNeverAskedBeforeFromTheLastGoodCatalog()
    {
        await _catalog.ListAsync("?top=1");
        _catalog.StorageFaults = true;
        _catalog.Time.Advance(_catalog.Ttl);

        var stale = await _catalog.ListAsync("?top=20&sort=name");

        Assert.Equal(StatusCodes.Status200OK, stale.Status);
        Assert.Equal(20, stale.Json().GetProperty("items").GetArrayLength());
        Assert.Contains("fwd=stale", stale.Header("Cache-Status"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Returns304ForAStaleAnswerGivenItsETag()
    {
        var etag = (await _catalog.ListAsync()).Header("ETag")!;
        _catalog.StorageFaults = true;
        _catalog.Time.Advance(_catalog.Ttl);

        var response = await _catalog.ListAsync(ifNoneMatch: etag);

        Assert.Equal(StatusCodes.Status304NotModified, response.Status);
        Assert.Contains("fwd=stale", response.Header("Cache-Status"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StopsAskingStorageWhileTheCircuitIsOpenAndRecoversAfterIt()
    {
        await _catalog.ListAsync();
        _catalog.StorageFaults = true;
        _catalog.Time.Advance(_catalog.Ttl);
        await _catalog.ListAsync();
        await _catalog.ListAsync();
        Assert.Equal(2, _catalog.FaultsInjected); // the breaker opens after two failures

        var whileOpen = await _catalog.ListAsync();
        Assert.Equal(2, _catalog.FaultsInjected); // refused by the open circuit: the storage call was not even tried
        Assert.Contains("fwd=stale", whileOpen.Header("Cache-Status"), StringComparison.Ordinal);

        _catalog.StorageFaults = false;
        _catalog.Time.Advance(TimeSpan.FromSeconds(10));
        var storageCalls = _catalog.StorageCalls.Count;
        var recovered = await _catalog.ListAsync();

        Assert.True(_catalog.StorageCalls.Count > storageCalls);
        Assert.StartsWith("Shop; fwd=miss; stored", recovered.Header("Cache-Status"), StringComparison.Ordinal);
        Assert.StartsWith("public, max-age=", recovered.Header("Cache-Control"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Returns503GivenAStorageFaultAndNothingCached()
    {
        _catalog.StorageFaults = true;

        var list = await _catalog.ListAsync();
        var item = await _catalog.GetAsync("SKU-001");

        SubmitOrderFunctionSubmitOrder.AssertProblem(list, StatusCodes.Status503ServiceUnavailable, "urn:shop:problem:dependency-unavailable");
        SubmitOrderFunctionSubmitOrder.AssertProblem(item, StatusCodes.Status503ServiceUnavailable, "urn:shop:problem:dependency-unavailable");
        Assert.NotNull(list.Header("Retry-After"));
    }

    [Fact]
    public async Task Returns503GivenStorageUnreachableAndNothingCached()
    {
        await using var down = await CatalogTest.StartAsync(azurite.UnreachableConnectionString());

        var response = await down.ListAsync();

        SubmitOrderFunctionSubmitOrder.AssertProblem(response, StatusCodes.Status503ServiceUnavailable, "urn:shop:problem:dependency-unavailable");
        Assert.DoesNotContain("   at ", response.Body, StringComparison.Ordinal);
    }
}
