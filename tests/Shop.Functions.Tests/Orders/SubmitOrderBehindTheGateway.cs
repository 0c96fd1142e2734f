using Microsoft.Extensions.Time.Testing;
using Shop.Functions.Orders.SubmitOrder;
using Shop.Functions.Platform.Http;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Orders;

/// <summary>
/// Intake behind a gateway that signs callers (Gateway:CallerSecret set): idempotency keys are scoped by the caller the
/// gateway vouches for (its signature computed here as infra/app/apim.bicep's policy computes it), never by a header a
/// client can send: a forged or stale caller, or App Service's principal header, counts as anonymous.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class SubmitOrderBehindTheGateway(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string Secret = "a-gateway-caller-secret-of-at-least-32-chars";
    private ShopTestServices _shop = null!;

    public async Task InitializeAsync() =>
        _shop = await ShopTestServices.StartAsync(azurite.ConnectionString, new Dictionary<string, string?> { ["Gateway:CallerSecret"] = Secret });

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    [Fact]
    public async Task ScopesAKeyByTheSignedCaller()
    {
        var key = Guid.NewGuid().ToString();

        var alice = await SubmitAsync(key, Signed("alice"));
        var aliceAgain = await SubmitAsync(key, Signed("alice"));
        var bob = await SubmitAsync(key, Signed("bob"));

        Assert.Equal(OrderId(alice), OrderId(aliceAgain));
        Assert.NotEqual(OrderId(alice), OrderId(bob));
    }

    [Fact]
    public async Task TreatsAnUnsignedForgedOrStaleCallerAsAnonymous()
    {
        var key = Guid.NewGuid().ToString();
        var anonymous = OrderId(await SubmitAsync(key, []));

        var forged = new Dictionary<string, string> { [GatewayCaller.CallerHeader] = "alice" };
        var wrongSecret = new Dictionary<string, string>
        {
            [GatewayCaller.CallerHeader] = "alice",
            [GatewayCaller.SignatureHeader] = GatewayCaller.Sign("not-the-gateway-secret-at-all-no-no", "alice", DateTimeOffset.UtcNow),
        };
        var stale = Signed("alice", DateTimeOffset.UtcNow - TimeSpan.FromMinutes(6));
        var principalHeader = new Dictionary<string, string> { [SubmitOrderFunction.CallerIdHeader] = "alice" };
        var swapped = Signed("bob");
        swapped[GatewayCaller.CallerHeader] = "alice";

        foreach (var headers in new[] { forged, wrongSecret, stale, principalHeader, swapped })
        {
            Assert.Equal(anonymous, OrderId(await SubmitAsync(key, headers)));
        }

        Assert.NotEqual(anonymous, OrderId(await SubmitAsync(key, Signed("alice"))));
    }

    [Fact]
    public void AcceptsASignatureWithinTheToleranceOnly()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var caller = new GatewayCaller(Microsoft.Extensions.Options.Options.Create(new GatewayOptions { CallerSecret = Secret }), clock);
        var request = HttpTest.Request("POST", "/api/orders", "{}", "application/json", Signed("carol", clock.GetUtcNow()));

        Assert.Equal("carol", caller.Verified(request));
        clock.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal("carol", caller.Verified(request));
        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Null(caller.Verified(request));
    }

    private static Dictionary<string, string> Signed(string caller, DateTimeOffset? at = null) => new()
    {
        [GatewayCaller.CallerHeader] = caller,
        [GatewayCaller.SignatureHeader] = GatewayCaller.Sign(Secret, caller, at ?? DateTimeOffset.UtcNow),
    };

    private static string OrderId(TestResponse response)
    {
        Assert.Equal(202, response.Status);
        return response.Json().GetProperty("orderId").GetString()!;
    }

    private async Task<TestResponse> SubmitAsync(string idempotencyKey, Dictionary<string, string> headers)
    {
        headers[SubmitOrderFunction.IdempotencyKeyHeader] = idempotencyKey;
        var request = HttpTest.Request("POST", "/api/orders", OrderRequests.ValidJson(), "application/json", headers);
        var result = await _shop.Function<SubmitOrderFunction>().SubmitOrder(request, CancellationToken.None);
        return await HttpTest.RunAsync(request, result);
    }
}
