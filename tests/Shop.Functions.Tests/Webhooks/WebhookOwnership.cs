using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Shop.Functions.Platform.Http;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Webhooks.DeliveryLog;
using Shop.Functions.Webhooks.Registration;
using Xunit;

namespace Shop.Functions.Tests.Webhooks;

/// <summary>
/// Webhooks that belong to someone: behind the gateway (Gateway:CallerSecret set), a subscription records the signed
/// caller that registered it, and list, get, update, rotate, delete and the delivery log act on the caller's own only
/// (another's is 404 and unchanged). Function-key callers without a signed caller share one space, as before.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class WebhookOwnership(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string Secret = "a-gateway-caller-secret-of-at-least-32-chars";
    private ShopTestServices _shop = null!;
    private ManualClock _clock = null!;

    public async Task InitializeAsync() =>
        (_shop, _clock) = await WebhookTests.StartAsync(azurite.ConnectionString, new Dictionary<string, string?> { ["Gateway:CallerSecret"] = Secret });

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    private WebhookSubscriptionFunctions Functions => _shop.Function<WebhookSubscriptionFunctions>();

    [Fact]
    public async Task EachCallerListsOnlyItsOwn()
    {
        var alice = await RegisterAsync("alice", "http://127.0.0.1:9/alice");
        var bob = await RegisterAsync("bob", "http://127.0.0.1:9/bob");
        var shared = await RegisterAsync(null, "http://127.0.0.1:9/shared");

        Assert.Equal([alice], await ListAsync("alice"));
        Assert.Equal([bob], await ListAsync("bob"));
        Assert.Equal([shared], await ListAsync(null));
        Assert.Equal("alice", (await WebhookTests.SubscriptionAsync(_shop, alice)).Owner);
        Assert.Null((await WebhookTests.SubscriptionAsync(_shop, shared)).Owner);
    }

    [Fact]
    public async Task AnotherCallersWebhookIsNotFoundAndStaysAsItWas()
    {
        var id = await RegisterAsync("alice", "http://127.0.0.1:9/alice");
        var before = await WebhookTests.SubscriptionAsync(_shop, id);

        foreach (var caller in new[] { "bob", null })
        {
            Assert.Equal(404, (await GetAsync(caller, id)).Status);
            Assert.Equal(404, (await PatchAsync(caller, id, new JsonObject { ["eventTypes"] = new JsonArray("OrderFailed") })).Status);
            Assert.Equal(404, (await RotateAsync(caller, id)).Status);
            Assert.Equal(404, (await DeliveriesAsync(caller, id)).Status);
            Assert.Equal(404, (await DeleteAsync(caller, id)).Status);
        }

        var after = await WebhookTests.SubscriptionAsync(_shop, id);
        Assert.Equal((before.Url, before.EventTypes, before.Secret, before.ETag), (after.Url, after.EventTypes, after.Secret, after.ETag));
        Assert.Equal(200, (await GetAsync("alice", id)).Status);
        Assert.Equal(200, (await DeliveriesAsync("alice", id)).Status);
        Assert.Equal(200, (await RotateAsync("alice", id)).Status);
        Assert.Equal(204, (await DeleteAsync("alice", id)).Status);
    }

    [Fact]
    public async Task TheOwnerChangesOnlyTheFieldsItNames()
    {
        var id = await RegisterAsync("alice", "http://127.0.0.1:9/alice");

        var changed = await PatchAsync("alice", id, new JsonObject { ["eventTypes"] = new JsonArray("OrderFailed", "OrderCompleted") });
        Assert.Equal(200, changed.Status);
        Assert.Equal(["OrderFailed", "OrderCompleted"], changed.Json().GetProperty("eventTypes").EnumerateArray().Select(e => e.GetString()));
        var moved = await PatchAsync("alice", id, new JsonObject { ["url"] = "http://127.0.0.1:9/elsewhere", ["description"] = "" });

        Assert.Equal(200, moved.Status);
        var row = await WebhookTests.SubscriptionAsync(_shop, id);
        Assert.Equal("http://127.0.0.1:9/elsewhere", row.Url);
        Assert.Equal("OrderFailed,OrderCompleted", row.EventTypes);
        Assert.Null(row.Description);
        Assert.Equal("alice", row.Owner);
        Assert.False(moved.Json().TryGetProperty("secret", out _));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"url":"not a url"}""")]
    [InlineData("""{"url":"http://127.0.0.1:9/x#fragment"}""")]
    [InlineData("""{"eventTypes":[]}""")]
    [InlineData("""{"eventTypes":["NoSuchEvent"]}""")]
    [InlineData("""{"description":"bad\u0001"}""")]
    [InlineData("[1,2]")]
    public async Task BadUpdatesAreRefusedAndChangeNothing(string body)
    {
        var id = await RegisterAsync("alice", "http://127.0.0.1:9/alice");
        var before = await WebhookTests.SubscriptionAsync(_shop, id);

        var response = await PatchAsync("alice", id, body);

        Assert.Equal(400, response.Status);
        Assert.Equal("application/problem+json", response.Header("Content-Type"));
        Assert.Equal(before.ETag, (await WebhookTests.SubscriptionAsync(_shop, id)).ETag);
    }

    [Fact]
    public async Task AnUpdateToARefusedAddressChangesNothing()
    {
        // Loopback is allowed in these tests; the platform address never is.
        var id = await RegisterAsync("alice", "http://127.0.0.1:9/alice");
        var before = await WebhookTests.SubscriptionAsync(_shop, id);

        var response = await PatchAsync("alice", id, new JsonObject { ["url"] = "http://168.63.129.16/hook" });

        Assert.Equal(400, response.Status);
        Assert.Equal(before.ETag, (await WebhookTests.SubscriptionAsync(_shop, id)).ETag);
    }

    // Signed at the app's clock (frozen in these tests), as the gateway signs at its own.
    private Dictionary<string, string> Headers(string? caller) => caller is null ? [] : new()
    {
        [GatewayCaller.CallerHeader] = caller,
        [GatewayCaller.SignatureHeader] = GatewayCaller.Sign(Secret, caller, _clock.GetUtcNow()),
    };

    private async Task<string> RegisterAsync(string? caller, string url)
    {
        var request = HttpTest.Request("POST", "/api/webhooks", WebhookTests.Registration(url, "*"), "application/json", Headers(caller));
        var response = await HttpTest.RunAsync(request, await _shop.Function<RegisterWebhookFunction>().RegisterWebhook(request, CancellationToken.None));
        Assert.Equal(201, response.Status);
        return response.Json().GetProperty("id").GetString()!;
    }

    private async Task<string[]> ListAsync(string? caller)
    {
        var request = HttpTest.Request("GET", "/api/webhooks", contentType: null, headers: Headers(caller));
        var response = await HttpTest.RunAsync(request, await Functions.ListWebhooks(request, CancellationToken.None));
        Assert.Equal(StatusCodes.Status200OK, response.Status);
        return [.. response.Json().GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()!)];
    }

    private async Task<TestResponse> GetAsync(string? caller, string id)
    {
        var request = HttpTest.Request("GET", $"/api/webhooks/{id}", contentType: null, headers: Headers(caller));
        return await HttpTest.RunAsync(request, await Functions.GetWebhook(request, id, CancellationToken.None));
    }

    private Task<TestResponse> PatchAsync(string? caller, string id, JsonObject body) => PatchAsync(caller, id, body.ToJsonString());

    private async Task<TestResponse> PatchAsync(string? caller, string id, string body)
    {
        var request = HttpTest.Request("PATCH", $"/api/webhooks/{id}", body, "application/json", Headers(caller));
        return await HttpTest.RunAsync(request, await Functions.UpdateWebhook(request, id, CancellationToken.None));
    }

    private async Task<TestResponse> RotateAsync(string? caller, string id)
    {
        var request = HttpTest.Request("POST", $"/api/webhooks/{id}/rotate-secret", contentType: null, headers: Headers(caller));
        return await HttpTest.RunAsync(request, await Functions.RotateWebhookSecret(request, id, CancellationToken.None));
    }

    private async Task<TestResponse> DeleteAsync(string? caller, string id)
    {
        var request = HttpTest.Request("DELETE", $"/api/webhooks/{id}", contentType: null, headers: Headers(caller));
        return await HttpTest.RunAsync(request, await Functions.DeleteWebhook(request, id, CancellationToken.None));
    }

    private async Task<TestResponse> DeliveriesAsync(string? caller, string id)
    {
        var request = HttpTest.Request("GET", $"/api/webhooks/{id}/deliveries", contentType: null, headers: Headers(caller));
        return await HttpTest.RunAsync(request, await _shop.Function<WebhookDeliveryFunctions>().ListWebhookDeliveries(request, id, CancellationToken.None));
    }
}
