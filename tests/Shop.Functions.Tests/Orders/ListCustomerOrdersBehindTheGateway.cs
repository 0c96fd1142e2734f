using Shop.Functions.Fulfillment;
using Shop.Functions.Orders.History;
using Shop.Functions.Orders.SubmitOrder;
using Shop.Functions.Platform.Http;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Orders;

/// <summary>
/// Order history for a caller the gateway authenticated (Gateway:CallerSecret set): orders submitted by a signed caller
/// record it as their account, the saga's first step indexes them (a repeated step once), and
/// <c>GET /api/orders?customerId=</c> lists the caller's own, newest first, in pages; another account, an unsigned or
/// forged caller is 403; an order submitted without a signed caller is in no history.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ListCustomerOrdersBehindTheGateway(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string Secret = "a-gateway-caller-secret-of-at-least-32-chars";
    private ShopTestServices _shop = null!;

    public async Task InitializeAsync() =>
        _shop = await ShopTestServices.StartAsync(azurite.ConnectionString, new Dictionary<string, string?> { ["Gateway:CallerSecret"] = Secret });

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    [Fact]
    public async Task ListsTheCallersOwnOrdersNewestFirstInPages()
    {
        // A caller may hold characters a PartitionKey may not ('/', '#', '?'): the account is hashed into the key.
        var alice = $"alice/#?-{Guid.NewGuid():N}";
        var bob = $"bob-{Guid.NewGuid():N}";
        var first = await PlaceAsync(alice);
        var second = await PlaceAsync(alice);
        var third = await PlaceAsync(alice);
        await PlaceAsync(bob);
        await PlaceAsync(caller: null);
        await _shop.Get<FulfillmentSteps>().AcceptOrderAsync(second, CancellationToken.None); // the step again

        var page1 = await ListAsync(alice, alice, "&max=2");
        Assert.Equal(200, page1.Status);
        Assert.Equal([third, second], Ids(page1));
        var next = page1.Json().GetProperty("next").GetString()!;
        var page2 = await ListAsync(alice, alice, $"&max=2&after={Uri.EscapeDataString(next)}");
        Assert.Equal([first], Ids(page2));
        Assert.False(page2.Json().TryGetProperty("next", out var end) && end.ValueKind != System.Text.Json.JsonValueKind.Null, "The last page has a next.");
        Assert.All(page1.Json().GetProperty("items").EnumerateArray(), item => Assert.Equal("Processing", item.GetProperty("status").GetString()));
        Assert.Equal($"https://{HttpTest.Host}/api/orders/{third}", page1.Json().GetProperty("items")[0].GetProperty("orderUrl").GetString());
    }

    [Fact]
    public async Task RefusesAnotherAccountAndCallersTheGatewayDidNotSign()
    {
        var alice = $"alice-{Guid.NewGuid():N}";
        await PlaceAsync(alice);

        Assert.Equal(403, (await ListAsync("mallory", alice)).Status);
        Assert.Equal(403, (await ListAsync(caller: null, alice)).Status);
        var forged = HttpTest.Request("GET", "/api/orders", contentType: null, headers: new Dictionary<string, string>
        {
            [GatewayCaller.CallerHeader] = alice,
            [GatewayCaller.SignatureHeader] = GatewayCaller.Sign("not-the-gateway-secret-at-all-no-no", alice, DateTimeOffset.UtcNow),
        });
        forged.QueryString = new Microsoft.AspNetCore.Http.QueryString($"?customerId={alice}");
        var response = await HttpTest.RunAsync(forged, await _shop.Function<ListCustomerOrdersFunction>().ListCustomerOrders(forged, CancellationToken.None));
        SubmitOrderFunctionSubmitOrder.AssertProblem(response, 403, "urn:shop:problem:not-your-account");
    }

    [Theory]
    [InlineData("")]
    [InlineData("?customerId=")]
    [InlineData("?customerId=a&max=0")]
    [InlineData("?customerId=a&max=101")]
    [InlineData("?customerId=a&customerId=b")]
    [InlineData("?customerId=a&after=")]
    public async Task RefusesABadQuery(string query)
    {
        var request = HttpTest.Request("GET", "/api/orders" + query, contentType: null, headers: Signed("a"));
        request.QueryString = new Microsoft.AspNetCore.Http.QueryString(query.Length == 0 ? null : query);
        var response = await HttpTest.RunAsync(request, await _shop.Function<ListCustomerOrdersFunction>().ListCustomerOrders(request, CancellationToken.None));

        SubmitOrderFunctionSubmitOrder.AssertProblem(response, 400, "urn:shop:problem:validation-failed");
    }

    private static Dictionary<string, string> Signed(string caller) => new()
    {
        [GatewayCaller.CallerHeader] = caller,
        [GatewayCaller.SignatureHeader] = GatewayCaller.Sign(Secret, caller, DateTimeOffset.UtcNow),
    };

    private static string[] Ids(TestResponse response) =>
        [.. response.Json().GetProperty("items").EnumerateArray().Select(i => i.GetProperty("orderId").GetString()!)];

    /// <summary>Submits as <paramref name="caller"/> (signed; null: unsigned), then runs the saga's first step.</summary>
    private async Task<string> PlaceAsync(string? caller)
    {
        var request = HttpTest.Request("POST", "/api/orders", OrderRequests.ValidJson(), "application/json", caller is null ? [] : Signed(caller));
        var response = await HttpTest.RunAsync(request, await _shop.Function<SubmitOrderFunction>().SubmitOrder(request, CancellationToken.None));
        Assert.Equal(202, response.Status);
        var orderId = response.Json().GetProperty("orderId").GetString()!;
        await _shop.Get<FulfillmentSteps>().AcceptOrderAsync(orderId, CancellationToken.None);
        await Task.Delay(5); // distinct creation times, so "newest first" is well defined
        return orderId;
    }

    private async Task<TestResponse> ListAsync(string? caller, string customerId, string extra = "")
    {
        var query = $"?customerId={Uri.EscapeDataString(customerId)}{extra}";
        var request = HttpTest.Request("GET", "/api/orders", contentType: null, headers: caller is null ? [] : Signed(caller));
        request.QueryString = new Microsoft.AspNetCore.Http.QueryString(query);
        return await HttpTest.RunAsync(request, await _shop.Function<ListCustomerOrdersFunction>().ListCustomerOrders(request, CancellationToken.None));
    }
}
