using Microsoft.AspNetCore.Http;
using Shop.Functions.Inventory;
using Shop.Functions.Inventory.Admin;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Tests.Orders;
using Xunit;

namespace Shop.Functions.Tests.Inventory.Admin;

/// <summary>
/// <c>POST /api/ops/stock/{sku}/receipts</c> and <c>GET /api/ops/stock/{sku}</c>: a goods receipt adds its units once per
/// receipt id, also when sent twice or concurrently; problem+json for bad input.
/// </summary>
[Collection(CatalogAndPaymentsStorage.Name)]
public sealed class ReceiveStockFunctionReceiveStock(AzuriteFixture azurite) : IAsyncLifetime
{
    private ShopTestServices _shop = null!;

    private InventoryStore Store => _shop.Get<InventoryStore>();

    public async Task InitializeAsync() => _shop = await InventoryTestServices.StartAsync(azurite.ConnectionString);

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    [Fact]
    public async Task AddsTheUnitsAndAnswers201GivenANewReceipt()
    {
        var sku = await Store.StockedSkuAsync(5);

        var response = await ReceiveAsync(sku, """{ "receiptId": "DN-1", "quantity": 7, "note": "pallet 3" }""");

        Assert.Equal(StatusCodes.Status201Created, response.Status);
        Assert.Equal($"https://{HttpTest.Host}/api/ops/stock/{sku}", response.Header("Location"));
        var body = response.Json();
        Assert.Equal(sku, body.GetProperty("sku").GetString());
        Assert.Equal("DN-1", body.GetProperty("receiptId").GetString());
        Assert.Equal(7, body.GetProperty("quantity").GetInt32());
        Assert.Equal(12, body.GetProperty("availableAfter").GetInt32());
        Assert.Equal("pallet 3", body.GetProperty("note").GetString());
        Assert.Equal(12, await Store.AvailableAsync(sku));
    }

    [Fact]
    public async Task AddsNothingAndAnswers200GivenTheSameReceiptAgain()
    {
        var sku = await Store.StockedSkuAsync(5);
        await ReceiveAsync(sku, """{ "receiptId": "DN-2", "quantity": 3 }""");

        var again = await ReceiveAsync(sku.ToLowerInvariant(), """{ "receiptId": "DN-2", "quantity": 3 }""");

        Assert.Equal(StatusCodes.Status200OK, again.Status);
        Assert.Equal(8, again.Json().GetProperty("availableAfter").GetInt32());
        Assert.Equal(8, await Store.AvailableAsync(sku));
    }

    [Fact]
    public async Task CountsAReceiptOnceGivenItIsSentConcurrentlyWithOthers()
    {
        var sku = await Store.StockedSkuAsync(0);

        // Ten distinct receipts, each sent three times at once: thirty writers racing on one stock row.
        var sends = Enumerable.Range(0, 30).Select(i => ReceiveAsync(sku, $$"""{ "receiptId": "R-{{i % 10}}", "quantity": {{(i % 10) + 1}} }"""));
        var responses = await Task.WhenAll(sends);

        Assert.All(responses, r => Assert.Contains(r.Status, new[] { StatusCodes.Status200OK, StatusCodes.Status201Created }));
        Assert.Equal(10, responses.Count(r => r.Status == StatusCodes.Status201Created));
        Assert.Equal(Enumerable.Range(1, 10).Sum(), await Store.AvailableAsync(sku));
    }

    [Fact]
    public async Task Returns422AndChangesNothingGivenAReceiptIdReusedWithAnotherQuantity()
    {
        var sku = await Store.StockedSkuAsync(5);
        await ReceiveAsync(sku, """{ "receiptId": "DN-3", "quantity": 3 }""");

        var response = await ReceiveAsync(sku, """{ "receiptId": "DN-3", "quantity": 4 }""");

        SubmitOrderFunctionSubmitOrder.AssertProblem(response, StatusCodes.Status422UnprocessableEntity, "urn:shop:problem:receipt-id-reused");
        Assert.Equal(8, await Store.AvailableAsync(sku));
    }

    [Theory]
    [InlineData("""{ "quantity": 3 }""", "receiptId")]
    [InlineData("""{ "receiptId": "a/b", "quantity": 3 }""", "receiptId")]
    [InlineData("""{ "receiptId": "DN-4" }""", "quantity")]
    [InlineData("""{ "receiptId": "DN-4", "quantity": 0 }""", "quantity")]
    [InlineData("""{ "receiptId": "DN-4", "quantity": -2 }""", "quantity")]
    [InlineData("""{ "receiptId": "DN-4", "quantity": 1000001 }""", "quantity")]
    public async Task Returns400AndAddsNothingGivenAnInvalidReceipt(string body, string field)
    {
        var sku = await Store.StockedSkuAsync(5);

        var response = await ReceiveAsync(sku, body);

        SubmitOrderFunctionSubmitOrder.AssertProblem(response, StatusCodes.Status400BadRequest, "urn:shop:problem:validation-failed");
        Assert.True(response.Json().GetProperty("errors").TryGetProperty(field, out _));
        Assert.Equal(5, await Store.AvailableAsync(sku));
    }

    [Fact]
    public async Task Returns400GivenAQuantityThatIsNotAWholeNumber()
    {
        var sku = await Store.StockedSkuAsync(5);

        var response = await ReceiveAsync(sku, """{ "receiptId": "DN-5", "quantity": "3" }""");

        SubmitOrderFunctionSubmitOrder.AssertProblem(response, StatusCodes.Status400BadRequest, "urn:shop:problem:malformed-json");
    }

    [Fact]
    public async Task Returns415GivenABodyThatIsNotJson()
    {
        var sku = await Store.StockedSkuAsync(5);
        var request = HttpTest.Request("POST", $"/api/ops/stock/{sku}/receipts", "receiptId=1", contentType: "text/plain");

        var response = await HttpTest.RunAsync(request, await _shop.Function<ReceiveStockFunction>().ReceiveStock(request, sku, CancellationToken.None));

        SubmitOrderFunctionSubmitOrder.AssertProblem(response, StatusCodes.Status415UnsupportedMediaType, "urn:shop:problem:unsupported-media-type");
    }

    [Fact]
    public async Task CreatesTheStockRowGivenACatalogSkuThatHasNone()
    {
        const string sku = "SKU-035"; // a catalog item no other test uses
        await Store.Table.DeleteEntityAsync(sku, InventoryKeys.StockRowKey);

        var response = await ReceiveAsync(sku, $$"""{ "receiptId": "DN-{{Guid.NewGuid():N}}", "quantity": 4 }""");

        Assert.Equal(StatusCodes.Status201Created, response.Status);
        Assert.Equal(4, await Store.AvailableAsync(sku));
    }

    [Theory]
    [InlineData("TEST-NO-SUCH-SKU")]
    [InlineData("not a sku")]
    public async Task Returns404GivenASkuWithoutStockOutsideTheCatalog(string sku)
    {
        var response = await ReceiveAsync(sku, """{ "receiptId": "DN-6", "quantity": 3 }""");

        SubmitOrderFunctionSubmitOrder.AssertProblem(response, StatusCodes.Status404NotFound, "urn:shop:problem:not-found");
    }

    [Fact]
    public async Task ReadsTheStockRowAndAnswers404GivenNone()
    {
        var sku = await Store.StockedSkuAsync(9);

        var found = await GetAsync(sku.ToLowerInvariant());
        var missing = await GetAsync(InventoryTestServices.NewSku());

        Assert.Equal(StatusCodes.Status200OK, found.Status);
        Assert.Equal("no-store", found.Header("Cache-Control"));
        Assert.Equal(sku, found.Json().GetProperty("sku").GetString());
        Assert.Equal(9, found.Json().GetProperty("available").GetInt32());
        SubmitOrderFunctionSubmitOrder.AssertProblem(missing, StatusCodes.Status404NotFound, "urn:shop:problem:not-found");
    }

    [Fact]
    public async Task Returns503AndBooksNothingGivenStorageDown()
    {
        await using var down = await ShopTestServices.StartAsync(azurite.UnreachableConnectionString());
        var request = HttpTest.Request("POST", "/api/ops/stock/SKU-001/receipts", """{ "receiptId": "DN-7", "quantity": 3 }""");

        var response = await HttpTest.RunAsync(request, await down.Function<ReceiveStockFunction>().ReceiveStock(request, "SKU-001", CancellationToken.None));

        SubmitOrderFunctionSubmitOrder.AssertProblem(response, StatusCodes.Status503ServiceUnavailable, "urn:shop:problem:dependency-unavailable");
    }

    private async Task<TestResponse> ReceiveAsync(string sku, string body)
    {
        var request = HttpTest.Request("POST", $"/api/ops/stock/{sku}/receipts", body);
        return await HttpTest.RunAsync(request, await _shop.Function<ReceiveStockFunction>().ReceiveStock(request, sku, CancellationToken.None));
    }

    private async Task<TestResponse> GetAsync(string sku)
    {
        var request = HttpTest.Request("GET", $"/api/ops/stock/{sku}", contentType: null);
        return await HttpTest.RunAsync(request, await _shop.Function<GetStockFunction>().GetStock(request, sku, CancellationToken.None));
    }
}
