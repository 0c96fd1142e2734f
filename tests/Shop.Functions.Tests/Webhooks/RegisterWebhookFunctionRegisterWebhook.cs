using Microsoft.AspNetCore.Http;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Webhooks.Registration;
using Xunit;

namespace Shop.Functions.Tests.Webhooks;

[Collection(AzuriteCollection.Name)]
public sealed class RegisterWebhookFunctionRegisterWebhook(AzuriteFixture azurite) : IAsyncLifetime
{
    private ShopTestServices _shop = null!;

    public async Task InitializeAsync() => (_shop, _) = await WebhookTests.StartAsync(azurite.ConnectionString);

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    [Fact]
    public async Task Returns201WithTheSecretShownOnlyOnce()
    {
        var response = await WebhookTests.RegisterAsync(_shop, WebhookTests.Registration("http://127.0.0.1:9/hook", "OrderCompleted", "OrderFailed"));

        Assert.Equal(StatusCodes.Status201Created, response.Status);
        var body = response.Json();
        var id = body.GetProperty("id").GetString()!;
        Assert.Matches("^whk_[a-z2-7]{26}$", id);
        Assert.Equal($"https://{HttpTest.Host}/api/webhooks/{id}", response.Header("Location"));
        Assert.Equal("no-store", response.Header("Cache-Control"));
        Assert.Equal("http://127.0.0.1:9/hook", body.GetProperty("url").GetString());
        Assert.Equal(["OrderCompleted", "OrderFailed"], body.GetProperty("eventTypes").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("Active", body.GetProperty("status").GetString());
        var secret = body.GetProperty("secret").GetString()!;
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        Assert.True(Convert.FromBase64String(secret["whsec_".Length..]).Length >= 24);

        var read = await GetAsync(id);
        Assert.Equal(StatusCodes.Status200OK, read.Status);
        Assert.False(read.Json().TryGetProperty("secret", out _));
        Assert.DoesNotContain(secret, read.Body, StringComparison.Ordinal);
        Assert.Equal(secret, (await WebhookTests.SubscriptionAsync(_shop, id)).Secret);
    }

    [Fact]
    public async Task GivesEachRegistrationItsOwnIdAndSecret()
    {
        var first = await WebhookTests.RegisterAsync(_shop, "http://127.0.0.1:9/a", "*");
        var second = await WebhookTests.RegisterAsync(_shop, "http://127.0.0.1:9/a", "*");

        Assert.NotEqual(first.Id, second.Id);
        Assert.NotEqual(first.Secret, second.Secret);
    }

    [Theory]
    [InlineData("""{"eventTypes":["OrderCompleted"]}""", "url")]
    [InlineData("""{"url":"/relative","eventTypes":["OrderCompleted"]}""", "url")]
    [InlineData("""{"url":"ftp://127.0.0.1/x","eventTypes":["OrderCompleted"]}""", "url")]
    [InlineData("""{"url":"http://user:pw@127.0.0.1/x","eventTypes":["OrderCompleted"]}""", "url")]
    [InlineData("""{"url":"http://127.0.0.1/x#frag","eventTypes":["OrderCompleted"]}""", "url")]
    [InlineData("""{"url":"http://127.0.0.1/x"}""", "eventTypes")]
    [InlineData("""{"url":"http://127.0.0.1/x","eventTypes":[]}""", "eventTypes")]
    [InlineData("""{"url":"http://127.0.0.1/x","eventTypes":["OrderShipped"]}""", "eventTypes")]
    [InlineData("""{"url":"http://127.0.0.1/x","eventTypes":["orderCompleted"]}""", "eventTypes")]
    [InlineData("""{"url":"http://127.0.0.1/x","eventTypes":["OrderCompleted","OrderCompleted"]}""", "eventTypes")]
    [InlineData("""{"url":"http://127.0.0.1/x","eventTypes":[null]}""", "eventTypes")]
    [InlineData("""{"url":"http://127.0.0.1/x","eventTypes":["*"],"description":"line\nbreak"}""", "description")]
    public async Task Returns400NamingTheFieldAndStoresNothingGivenInvalidRegistration(string body, string field)
    {
        var response = await WebhookTests.RegisterAsync(_shop, body);

        Assert.Equal(StatusCodes.Status400BadRequest, response.Status);
        Assert.Equal("application/problem+json", response.Header("Content-Type"));
        Assert.Equal([field], response.Json().GetProperty("errors").EnumerateObject().Select(p => p.Name));
        Assert.Empty(await _shop.Get<WebhookSubscriptionStore>().ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Returns400GivenADescriptionOverTheLimit()
    {
        var response = await WebhookTests.RegisterAsync(_shop, $$"""{"url":"http://127.0.0.1/x","eventTypes":["*"],"description":"{{new string('d', 257)}}"}""");

        Assert.Equal(StatusCodes.Status400BadRequest, response.Status);
        Assert.True(response.Json().GetProperty("errors").TryGetProperty("description", out _));
    }

    [Fact]
    public async Task Returns400GivenMalformedJson()
    {
        var response = await WebhookTests.RegisterAsync(_shop, """{"url": "http://127.0.0.1/x", "eventTypes": [""");

        Assert.Equal(StatusCodes.Status400BadRequest, response.Status);
        Assert.Equal("urn:shop:problem:malformed-json", response.Json().GetProperty("type").GetString());
    }

    [Fact]
    public async Task RequiresHttpsOutsideDevelopment()
    {
        await using var production = await ShopTestServices.StartAsync(azurite.ConnectionString);

        var response = await WebhookTests.RegisterAsync(production, WebhookTests.Registration("http://hooks.example.com/shop", "*"));

        Assert.Equal(StatusCodes.Status400BadRequest, response.Status);
        Assert.Contains("https", response.Json().GetProperty("errors").GetProperty("url")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Returns422OnceTheLimitIsReached()
    {
        await using var limited = (await WebhookTests.StartAsync(azurite.ConnectionString, new Dictionary<string, string?> { ["Webhooks:MaxSubscriptions"] = "1" })).Shop;
        await WebhookTests.RegisterAsync(limited, "http://127.0.0.1:9/a", "*");

        var response = await WebhookTests.RegisterAsync(limited, WebhookTests.Registration("http://127.0.0.1:9/b", "*"));

        Assert.Equal(StatusCodes.Status422UnprocessableEntity, response.Status);
        Assert.Equal("urn:shop:problem:webhook-limit-reached", response.Json().GetProperty("type").GetString());
        Assert.Single(await limited.Get<WebhookSubscriptionStore>().ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Returns503AndRegistersNothingGivenStorageIsDown()
    {
        await using var down = await ShopTestServices.StartAsync(azurite.UnreachableConnectionString(), new Dictionary<string, string?>
        {
            ["Webhooks:RequireHttps"] = "false",
            ["Webhooks:AllowLoopback"] = "true",
        });

        var response = await WebhookTests.RegisterAsync(down, WebhookTests.Registration("http://127.0.0.1:9/a", "*"));

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, response.Status);
        Assert.Equal("urn:shop:problem:dependency-unavailable", response.Json().GetProperty("type").GetString());
        Assert.Empty(await _shop.Get<WebhookSubscriptionStore>().ListAsync(CancellationToken.None));
    }

    private async Task<TestResponse> GetAsync(string id)
    {
        var request = HttpTest.Request("GET", $"/api/webhooks/{id}", contentType: null);
        return await HttpTest.RunAsync(request, await _shop.Function<WebhookSubscriptionFunctions>().GetWebhook(request, id, CancellationToken.None));
    }
}
