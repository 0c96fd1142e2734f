using Microsoft.AspNetCore.Http;
using Shop.Functions.Catalog;
using Shop.Functions.Orders;
using Shop.Functions.Orders.SubmitOrder;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Orders;

/// <summary>Intake against the catalog: SKUs must be in it, and prices are its own, never the client's.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class SubmitOrderFunctionPricing(AzuriteFixture azurite) : IAsyncLifetime
{
    private ShopTestServices _shop = null!;

    public async Task InitializeAsync() => _shop = await ShopTestServices.StartAsync(azurite.ConnectionString);

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    [Fact]
    public async Task Returns422NamingTheUnknownSkuAndWritesNothing()
    {
        var key = Guid.NewGuid().ToString();
        var body = OrderRequests.With(b => b["items"]![1]!["sku"] = "NOT-IN-CATALOG");

        var response = await SubmitAsync(body, key);

        SubmitOrderFunctionSubmitOrder.AssertProblem(response, StatusCodes.Status422UnprocessableEntity, "urn:shop:problem:unknown-sku");
        Assert.Contains("NOT-IN-CATALOG", response.Json().GetProperty("detail").GetString(), StringComparison.Ordinal);
        var errors = response.Json().GetProperty("errors");
        Assert.Equal(["items[1].sku"], errors.EnumerateObject().Select(p => p.Name));
        Assert.Empty(_shop.Sender.Sent);
        var orderId = OrderIds.FromIdempotencyKey(Convert.FromBase64String(ShopTestServices.TestIdempotencySecret), "anonymous", key);
        Assert.Null(await _shop.Get<OrderStore>().FindAsync(orderId, CancellationToken.None));
    }

    [Fact]
    public async Task StoresTheCatalogPricesAndIgnoresPricesFromTheClient()
    {
        var body = OrderRequests.With(b =>
        {
            b["items"]![0]!["price"] = 0.01;
            b["items"]![0]!["unitPrice"] = 0;
            b["items"]![1]!["sku"] = "sku-002";
        });

        var response = await SubmitAsync(body);

        Assert.Equal(StatusCodes.Status202Accepted, response.Status);
        var order = await _shop.Get<OrderStore>().FindAsync(response.Json().GetProperty("orderId").GetString()!, CancellationToken.None);
        var (first, second) = (CatalogSeed.Find("SKU-001")!, CatalogSeed.Find("SKU-002")!);
        Assert.Equal(
            [new PricedLine("SKU-001", 2, first.Price, first.Currency), new PricedLine("sku-002", 1, second.Price, second.Currency)],
            order!.GetPricedItems());
    }

    private async Task<TestResponse> SubmitAsync(string body, string? idempotencyKey = null)
    {
        var headers = idempotencyKey is null ? null : new Dictionary<string, string> { [SubmitOrderFunction.IdempotencyKeyHeader] = idempotencyKey };
        var request = HttpTest.Request("POST", "/api/orders", body, headers: headers);
        return await HttpTest.RunAsync(request, await _shop.Function<SubmitOrderFunction>().SubmitOrder(request, CancellationToken.None));
    }
}
