using Microsoft.AspNetCore.Http;
using Shop.Functions.Orders;
using Shop.Functions.Orders.Watchdog;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Orders.Watchdog;

/// <summary><c>GET /api/ops/orders/needs-attention</c>: the flagged orders, paged by order id; problem+json for a bad query.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class ListOrdersNeedingAttentionFunctionListOrdersNeedingAttention(AzuriteFixture azurite) : IAsyncLifetime
{
    private ShopTestServices _shop = null!;

    public async Task InitializeAsync() => _shop = await ShopTestServices.StartAsync(azurite.ConnectionString);

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    [Fact]
    public async Task ListsEveryFlaggedOrderWithItsReasonPageByPage()
    {
        var index = _shop.Get<OpenOrderIndex>();
        var at = new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
        var flagged = Enumerable.Range(0, 3).Select(_ => OrderIds.NewRandom()).ToList();
        foreach (var orderId in flagged)
        {
            await index.FlagNeedsAttentionAsync(orderId, $"refund failed for {orderId}", at, CancellationToken.None);
        }

        var seen = new Dictionary<string, System.Text.Json.JsonElement>(StringComparer.Ordinal);
        string? after = null;
        do
        {
            var response = await ListAsync(after is null ? "?max=1" : $"?max=1&after={after}");
            Assert.Equal(StatusCodes.Status200OK, response.Status);
            Assert.Equal("no-store", response.Header("Cache-Control"));
            var items = response.Json().GetProperty("items").EnumerateArray().ToList();
            Assert.InRange(items.Count, 0, 1);
            foreach (var item in items)
            {
                seen.Add(item.GetProperty("orderId").GetString()!, item.Clone());
            }

            after = response.Json().TryGetProperty("next", out var next) ? next.GetString() : null;
        }
        while (after is not null);

        Assert.All(flagged, orderId =>
        {
            var item = seen[orderId];
            Assert.Equal($"refund failed for {orderId}", item.GetProperty("reason").GetString());
            Assert.Equal(at, item.GetProperty("flaggedAt").GetDateTimeOffset());
            Assert.Equal($"https://{HttpTest.Host}/api/orders/{orderId}", item.GetProperty("orderUrl").GetString());
        });
    }

    [Fact]
    public async Task KeepsTheFirstReasonGivenAnOrderFlaggedTwice()
    {
        var index = _shop.Get<OpenOrderIndex>();
        var orderId = OrderIds.NewRandom();
        var at = new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

        await index.FlagNeedsAttentionAsync(orderId, "first", at, CancellationToken.None);
        await index.FlagNeedsAttentionAsync(orderId, "second", at.AddHours(1), CancellationToken.None);

        var page = await index.NeedsAttentionAsync(1, PreviousId(orderId), CancellationToken.None);
        var entry = Assert.Single(page);
        Assert.Equal(orderId, entry.OrderId);
        Assert.Equal("first", entry.Reason);
        Assert.Equal(at, entry.FlaggedAt);
    }

    [Theory]
    [InlineData("?max=0", "max")]
    [InlineData("?max=101", "max")]
    [InlineData("?max=ten", "max")]
    [InlineData("?max=1&max=2", "max")]
    [InlineData("?after=not-an-order-id", "after")]
    [InlineData("?after=", "after")]
    public async Task Returns400GivenABadQuery(string query, string field)
    {
        var response = await ListAsync(query);

        Orders.SubmitOrderFunctionSubmitOrder.AssertProblem(response, StatusCodes.Status400BadRequest, "urn:shop:problem:validation-failed");
        Assert.True(response.Json().GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task Returns503GivenStorageDown()
    {
        await using var down = await ShopTestServices.StartAsync(azurite.UnreachableConnectionString());
        var request = HttpTest.Request("GET", "/api/ops/orders/needs-attention", contentType: null);

        var response = await HttpTest.RunAsync(request, await down.Function<ListOrdersNeedingAttentionFunction>().ListOrdersNeedingAttention(request, CancellationToken.None));

        Orders.SubmitOrderFunctionSubmitOrder.AssertProblem(response, StatusCodes.Status503ServiceUnavailable, "urn:shop:problem:dependency-unavailable");
    }

    /// <summary>An id that sorts right before <paramref name="orderId"/>: its last character one lower (ids end in base32).</summary>
    private static string PreviousId(string orderId) => orderId[..^1] + (char)(orderId[^1] - 1);

    private async Task<TestResponse> ListAsync(string query)
    {
        var request = HttpTest.Request("GET", "/api/ops/orders/needs-attention", contentType: null);
        request.QueryString = new QueryString(query);
        return await HttpTest.RunAsync(request, await _shop.Function<ListOrdersNeedingAttentionFunction>().ListOrdersNeedingAttention(request, CancellationToken.None));
    }
}
