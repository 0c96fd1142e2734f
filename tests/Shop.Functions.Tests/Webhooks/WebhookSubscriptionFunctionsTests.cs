using Microsoft.AspNetCore.Http;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Webhooks.Registration;
using Xunit;

namespace Shop.Functions.Tests.Webhooks;

[Collection(AzuriteCollection.Name)]
public sealed class WebhookSubscriptionFunctionsTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private ShopTestServices _shop = null!;
    private ManualClock _clock = null!;

    public async Task InitializeAsync() => (_shop, _clock) = await WebhookTests.StartAsync(azurite.ConnectionString);

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    private WebhookSubscriptionFunctions Functions => _shop.Function<WebhookSubscriptionFunctions>();

    [Fact]
    public async Task ListsEverySubscriptionWithoutSecrets()
    {
        var first = await WebhookTests.RegisterAsync(_shop, "http://127.0.0.1:9/a", "OrderCompleted");
        var second = await WebhookTests.RegisterAsync(_shop, "http://127.0.0.1:9/b", "*");

        var request = HttpTest.Request("GET", "/api/webhooks", contentType: null);
        var response = await HttpTest.RunAsync(request, await Functions.ListWebhooks(request, CancellationToken.None));

        Assert.Equal(StatusCodes.Status200OK, response.Status);
        var items = response.Json().GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(new[] { first.Id, second.Id }.Order(), items.Select(i => i.GetProperty("id").GetString()).Order());
        Assert.All(items, item => Assert.False(item.TryGetProperty("secret", out _)));
        Assert.DoesNotContain(first.Secret, response.Body, StringComparison.Ordinal);
        Assert.Equal($"https://{HttpTest.Host}/api/webhooks/{first.Id}/deliveries", items.Single(i => i.GetProperty("id").GetString() == first.Id).GetProperty("deliveriesUrl").GetString());
    }

    [Theory]
    [InlineData("whk_aaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("..%2F..%2Fetc")]
    [InlineData("ord_aaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public async Task GetReturns404ProblemGivenUnknownId(string id)
    {
        var request = HttpTest.Request("GET", $"/api/webhooks/{id}", contentType: null);
        var response = await HttpTest.RunAsync(request, await Functions.GetWebhook(request, id, CancellationToken.None));

        Assert.Equal(StatusCodes.Status404NotFound, response.Status);
        Assert.Equal("application/problem+json", response.Header("Content-Type"));
    }

    [Fact]
    public async Task DeleteReturns204ThenTheSubscriptionIsGone()
    {
        var (id, _) = await WebhookTests.RegisterAsync(_shop, "http://127.0.0.1:9/a", "*");

        var first = await DeleteAsync(id);
        var second = await DeleteAsync(id);

        Assert.Equal(StatusCodes.Status204NoContent, first.Status);
        Assert.Equal(StatusCodes.Status404NotFound, second.Status);
        Assert.Null(await _shop.Get<WebhookSubscriptionStore>().FindAsync(id, CancellationToken.None));
    }

    [Fact]
    public async Task RotateReturnsANewSecretAndKeepsTheOldOneForTheGracePeriod()
    {
        var (id, oldSecret) = await WebhookTests.RegisterAsync(_shop, "http://127.0.0.1:9/a", "*");

        var response = await RotateAsync(id);

        Assert.Equal(StatusCodes.Status200OK, response.Status);
        Assert.Equal("no-store", response.Header("Cache-Control"));
        var newSecret = response.Json().GetProperty("secret").GetString()!;
        Assert.StartsWith("whsec_", newSecret, StringComparison.Ordinal);
        Assert.NotEqual(oldSecret, newSecret);
        Assert.Equal(WebhookTests.Start + TimeSpan.FromHours(24), response.Json().GetProperty("previousSecretExpiresAt").GetDateTimeOffset());

        var stored = await WebhookTests.SubscriptionAsync(_shop, id);
        Assert.Equal([newSecret, oldSecret], stored.SigningSecrets(_clock.Now));
        Assert.Equal([newSecret, oldSecret], stored.SigningSecrets(_clock.Now + TimeSpan.FromHours(23)));
        Assert.Equal([newSecret], stored.SigningSecrets(_clock.Now + TimeSpan.FromHours(24)));
    }

    [Fact]
    public async Task RotateTwiceDropsTheFirstSecret()
    {
        var (id, first) = await WebhookTests.RegisterAsync(_shop, "http://127.0.0.1:9/a", "*");

        var second = (await RotateAsync(id)).Json().GetProperty("secret").GetString()!;
        var third = (await RotateAsync(id)).Json().GetProperty("secret").GetString()!;

        var secrets = (await WebhookTests.SubscriptionAsync(_shop, id)).SigningSecrets(_clock.Now);
        Assert.Equal([third, second], secrets);
        Assert.DoesNotContain(first, secrets);
    }

    [Fact]
    public async Task RotateReturns404GivenUnknownId()
    {
        Assert.Equal(StatusCodes.Status404NotFound, (await RotateAsync("whk_aaaaaaaaaaaaaaaaaaaaaaaaaa")).Status);
    }

    private async Task<TestResponse> DeleteAsync(string id)
    {
        var request = HttpTest.Request("DELETE", $"/api/webhooks/{id}", contentType: null);
        return await HttpTest.RunAsync(request, await Functions.DeleteWebhook(request, id, CancellationToken.None));
    }

    private async Task<TestResponse> RotateAsync(string id)
    {
        var request = HttpTest.Request("POST", $"/api/webhooks/{id}/rotate-secret", contentType: null);
        return await HttpTest.RunAsync(request, await Functions.RotateWebhookSecret(request, id, CancellationToken.None));
    }
}
