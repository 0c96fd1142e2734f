using Microsoft.AspNetCore.Http;
using Shop.Functions.Platform;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Webhooks.Registration;
using Xunit;

namespace Shop.Functions.Tests.Webhooks;

/// <summary>
/// The subscription's insert reaches storage and is carried out, and its response is lost on the wire: the Tables SDK
/// resends it and gets 409. A 503 "nothing was registered" would leave a subscription the caller does not know of
/// (events posted to its URL with a secret it never saw, and a slot of the limit taken): the caller gets its 201.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class RegisterWebhookFunctionGivenALostResponse(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly TransportFaults _faults = new();
    private ShopTestServices _shop = null!;

    public async Task InitializeAsync() => (_shop, _) = await WebhookTests.StartAsync(azurite.ConnectionString, configure: _faults.Install);

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    [Fact]
    public async Task Returns201WithTheStoredSecretGivenTheSdksResendConflicts()
    {
        var url = $"http://127.0.0.1:9/{Guid.NewGuid():N}";
        _faults.LoseResponses(StorageRequest.WritesTo(StorageTables.Webhooks));

        var response = await WebhookTests.RegisterAsync(_shop, WebhookTests.Registration(url, "*"));

        Assert.Equal(1, _faults.Injected(TransportFault.LoseResponse));
        Assert.Equal(StatusCodes.Status201Created, response.Status);
        var id = response.Json().GetProperty("id").GetString()!;
        var stored = Assert.Single(await _shop.Get<WebhookSubscriptionStore>().ListAsync(CancellationToken.None), s => s.Url == url);
        Assert.Equal(id, stored.Id);
        Assert.Equal(stored.Secret, response.Json().GetProperty("secret").GetString());
    }

    [Fact]
    public async Task Returns503SayingTheOutcomeIsUnknownGivenTheInsertAndTheReadBackFail()
    {
        var url = $"http://127.0.0.1:9/{Guid.NewGuid():N}";
        _faults.LoseResponses(StorageRequest.WritesTo(StorageTables.Webhooks), times: 20);
        _faults.FailFor(request => request.Touches(StorageTables.Webhooks) && request.Method == "GET" && request.Path.Contains("RowKey", StringComparison.Ordinal), TimeSpan.FromSeconds(30));

        var response = await WebhookTests.RegisterAsync(_shop, WebhookTests.Registration(url, "*"));
        _faults.Clear();

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, response.Status);
        Assert.Equal("urn:shop:problem:dependency-unavailable", response.Json().GetProperty("type").GetString());
        Assert.Contains("not known whether", response.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("nothing was registered", response.Body, StringComparison.Ordinal);
        // It was stored (the lost responses were of inserts carried out): the caller is told to look, and can see it.
        Assert.Single(await _shop.Get<WebhookSubscriptionStore>().ListAsync(CancellationToken.None), s => s.Url == url);
    }

    [Fact]
    public async Task Returns503WithoutClaimingNothingChangedGivenAnUpdateCarriedOutWhoseAnswersAreLost()
    {
        var (id, _) = await WebhookTests.RegisterAsync(_shop, $"http://127.0.0.1:9/{Guid.NewGuid():N}", "*");
        _faults.LoseResponses(StorageRequest.WritesTo(StorageTables.Webhooks), times: 20);

        var body = new System.Text.Json.Nodes.JsonObject { ["description"] = "changed under a lost answer" }.ToJsonString();
        var request = HttpTest.Request("PATCH", $"/api/webhooks/{id}", body, "application/json");
        var response = await HttpTest.RunAsync(request, await _shop.Function<WebhookSubscriptionFunctions>().UpdateWebhook(request, id, CancellationToken.None));
        _faults.Clear();

        // The update was carried out: a 503 that said "nothing changed" would be false.
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, response.Status);
        Assert.DoesNotContain("nothing changed", response.Body, StringComparison.Ordinal);
        Assert.Contains("not known whether the change was made", response.Body, StringComparison.Ordinal);
        Assert.Equal("changed under a lost answer", (await WebhookTests.SubscriptionAsync(_shop, id)).Description);
    }
}
