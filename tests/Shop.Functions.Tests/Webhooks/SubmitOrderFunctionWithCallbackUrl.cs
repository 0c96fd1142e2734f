using Microsoft.AspNetCore.Http;
using Shop.Functions.Orders.SubmitOrder;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Tests.Orders;
using Shop.Functions.Webhooks;
using Xunit;

namespace Shop.Functions.Tests.Webhooks;

/// <summary>An order's callbackUrl at intake: the secret that will sign its callbacks, and the SSRF and https rules.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class SubmitOrderFunctionWithCallbackUrl(AzuriteFixture azurite) : IAsyncLifetime
{
    private ShopTestServices _shop = null!;

    public async Task InitializeAsync() => _shop = await ShopTestServices.StartAsync(azurite.ConnectionString);

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    [Fact]
    public async Task Returns202WithTheCallbackSecretTheSameOnEveryAnswer()
    {
        var body = OrderRequests.With(b => b["callbackUrl"] = "https://hooks.example.com/orders");
        var headers = new Dictionary<string, string> { ["Idempotency-Key"] = Guid.NewGuid().ToString() };

        var first = await SubmitAsync(body, headers);
        var again = await SubmitAsync(body, headers);

        Assert.Equal(StatusCodes.Status202Accepted, first.Status);
        Assert.Equal("no-store", first.Header("Cache-Control"));
        var orderId = first.Json().GetProperty("orderId").GetString()!;
        var secret = first.Json().GetProperty("callbackSecret").GetString();
        Assert.Equal(_shop.Get<CallbackSecrets>().For(orderId), secret);
        Assert.Equal(secret, again.Json().GetProperty("callbackSecret").GetString());
        Assert.NotEqual(secret, _shop.Get<CallbackSecrets>().For(Shop.Functions.Orders.OrderIds.NewRandom()));
    }

    [Fact]
    public async Task Returns202WithoutACallbackSecretGivenNoCallbackUrl()
    {
        var response = await SubmitAsync(OrderRequests.ValidJson());

        Assert.Equal(StatusCodes.Status202Accepted, response.Status);
        Assert.False(response.Json().TryGetProperty("callbackSecret", out _));
    }

    [Theory]
    [InlineData("https://10.0.0.1/orders")]
    [InlineData("https://169.254.169.254/latest")]
    [InlineData("https://[::1]/orders")]
    [InlineData("https://localhost/orders")]
    [InlineData("http://hooks.example.com/orders")]
    public async Task Returns400AndAcceptsNothingGivenACallbackUrlThatIsNotAllowed(string callbackUrl)
    {
        var response = await SubmitAsync(OrderRequests.With(b => b["callbackUrl"] = callbackUrl));

        Assert.Equal(StatusCodes.Status400BadRequest, response.Status);
        Assert.Equal(["callbackUrl"], response.Json().GetProperty("errors").EnumerateObject().Select(p => p.Name));
        Assert.Empty(_shop.Sender.Sent);
    }

    private async Task<TestResponse> SubmitAsync(string body, IDictionary<string, string>? headers = null)
    {
        var request = HttpTest.Request("POST", "/api/orders", body, headers: headers);
        return await HttpTest.RunAsync(request, await _shop.Function<SubmitOrderFunction>().SubmitOrder(request, CancellationToken.None));
    }
}
