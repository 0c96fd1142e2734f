using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Tests.Webhooks.Delivery;
using Shop.Functions.Webhooks;
using Shop.Functions.Webhooks.Delivery;
using Shop.Functions.Webhooks.Registration;
using Xunit;

namespace Shop.Functions.Tests.Webhooks;

/// <summary>
/// <c>POST /api/webhooks</c> with <c>Webhooks:ValidationHandshake</c> on: the CloudEvents validation handshake
/// (OPTIONS with WebHook-Request-Origin) against a real receiver on 127.0.0.1 before anything is stored.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class RegisterWebhookFunctionValidationHandshake(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string Origin = "shop.contoso.test";

    private readonly ScriptedHostResolver _resolver = new();
    private ShopTestServices _shop = null!;
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _shop = await StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _shop.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task Returns201GivenTheEndpointAllowsThisOrigin()
    {
        _receiver.Default = ReceiverReply.WithHeaders(200, (WebhookHandshake.AllowedOriginHeader, Origin), (WebhookHandshake.AllowedRateHeader, "120"));

        var response = await RegisterAsync(_receiver.Url);

        Assert.Equal(StatusCodes.Status201Created, response.Status);
        Assert.Single(await ListAsync());
        var handshake = Assert.Single(_receiver.Requests);
        Assert.Equal("OPTIONS", handshake.Method);
        Assert.Equal("/hooks", handshake.Path);
        Assert.Equal(Origin, handshake.Header("WebHook-Request-Origin"));
        Assert.Equal(string.Empty, handshake.Body);
    }

    [Fact]
    public async Task Returns201GivenTheEndpointAllowsEveryOrigin()
    {
        _receiver.Default = ReceiverReply.WithHeaders(204, (WebhookHandshake.AllowedOriginHeader, "*"));

        var response = await RegisterAsync(_receiver.Url);

        Assert.Equal(StatusCodes.Status201Created, response.Status);
        Assert.Equal("OPTIONS", Assert.Single(_receiver.Requests).Method);
    }

    [Fact]
    public async Task SendsTheDefaultOriginAndTheRequestedRate()
    {
        await using var defaults = await StartAsync(new() { ["Webhooks:RequestOrigin"] = null, ["Webhooks:RequestRate"] = "120" });
        _receiver.Default = ReceiverReply.WithHeaders(200, (WebhookHandshake.AllowedOriginHeader, WebhookOptions.DefaultRequestOrigin));

        var response = await WebhookTests.RegisterAsync(defaults, WebhookTests.Registration(_receiver.Url.AbsoluteUri, "*"));

        Assert.Equal(StatusCodes.Status201Created, response.Status);
        var handshake = Assert.Single(_receiver.Requests);
        Assert.Equal("shop.example", handshake.Header("WebHook-Request-Origin"));
        Assert.Equal("120", handshake.Header("WebHook-Request-Rate"));
    }

    [Fact]
    public async Task Returns422AndStoresNothingGivenNoAllowedOrigin()
    {
        _receiver.Default = ReceiverReply.Status(200);

        var response = await RegisterAsync(_receiver.Url);

        AssertNotConfirmed(response, "no WebHook-Allowed-Origin header");
        Assert.Empty(await ListAsync());
    }

    [Fact]
    public async Task Returns422AndStoresNothingGivenAnotherOrigin()
    {
        _receiver.Default = ReceiverReply.WithHeaders(200, (WebhookHandshake.AllowedOriginHeader, "someone-else.example"));

        var response = await RegisterAsync(_receiver.Url);

        AssertNotConfirmed(response, $"names neither '{Origin}' nor '*'");
        Assert.Empty(await ListAsync());
    }

    [Fact]
    public async Task Returns422AndStoresNothingGivenAnErrorStatusEvenWithTheHeader()
    {
        _receiver.Default = ReceiverReply.WithHeaders(500, (WebhookHandshake.AllowedOriginHeader, "*"));

        var response = await RegisterAsync(_receiver.Url);

        AssertNotConfirmed(response, "HTTP 500");
        Assert.Empty(await ListAsync());
        Assert.Single(_receiver.Requests);
    }

    [Fact]
    public async Task Returns422GivenARedirectWhichIsNotFollowed()
    {
        _receiver.Default = ReceiverReply.Redirect(307, new Uri(_receiver.Url, "/elsewhere"));

        var response = await RegisterAsync(_receiver.Url);

        AssertNotConfirmed(response, "HTTP 307");
        Assert.Equal(["/hooks"], _receiver.Requests.Select(r => r.Path));
    }

    [Fact]
    public async Task Returns422GivenTheEndpointIsDown()
    {
        var response = await RegisterAsync(new Uri($"http://127.0.0.1:{WebhookReceiver.ClosedPort()}/hooks"));

        AssertNotConfirmed(response, "The OPTIONS request failed");
        Assert.Empty(await ListAsync());
    }

    [Fact]
    public async Task Returns422GivenTheEndpointDoesNotAnswerInTime()
    {
        await using var impatient = await StartAsync(new() { ["Webhooks:Timeout"] = "00:00:00.300" });
        _receiver.Default = ReceiverReply.Hanging();

        var response = await WebhookTests.RegisterAsync(impatient, WebhookTests.Registration(_receiver.Url.AbsoluteUri, "*"));

        AssertNotConfirmed(response, "timed out after 0.3 s");
        Assert.Empty(await ListAsync());
    }

    [Fact]
    public async Task MakesNoRequestGivenTheHandshakeIsOff()
    {
        await using var off = await StartAsync(new() { ["Webhooks:ValidationHandshake"] = "false" });

        var response = await WebhookTests.RegisterAsync(off, WebhookTests.Registration(_receiver.Url.AbsoluteUri, "*"));

        Assert.Equal(StatusCodes.Status201Created, response.Status);
        Assert.Equal(0, _receiver.RequestCount);
    }

    [Fact]
    public async Task RefusesAHostResolvingToLoopbackBeforeAnyHandshake()
    {
        _resolver.Answer("hooks.test", "127.0.0.1");
        await using var guarded = await StartAsync(new() { ["Webhooks:AllowLoopback"] = "false" });

        var response = await WebhookTests.RegisterAsync(guarded, WebhookTests.Registration($"http://hooks.test:{_receiver.Port}/hooks", "*"));

        Assert.Equal(StatusCodes.Status400BadRequest, response.Status);
        Assert.Contains("resolves to 127.0.0.1", response.Json().GetProperty("errors").GetProperty("url")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(0, _receiver.RequestCount);
        Assert.Empty(await ListAsync());
    }

    [Fact]
    public async Task RefusesAtConnectTimeAHostRebindingToLoopbackBeforeTheHandshake()
    {
        _resolver.Answer("rebind.test", "93.184.215.14", "127.0.0.1");
        await using var guarded = await StartAsync(new() { ["Webhooks:AllowLoopback"] = "false" });

        var response = await WebhookTests.RegisterAsync(guarded, WebhookTests.Registration($"http://rebind.test:{_receiver.Port}/hooks", "*"));

        AssertNotConfirmed(response, "Refused to connect to 'rebind.test': it resolves to 127.0.0.1");
        Assert.Equal(0, _receiver.RequestCount);
        Assert.Empty(await ListAsync());
    }

    private static void AssertNotConfirmed(TestResponse response, string detail)
    {
        Assert.Equal(StatusCodes.Status422UnprocessableEntity, response.Status);
        Assert.Equal("application/problem+json", response.Header("Content-Type"));
        var problem = response.Json();
        Assert.Equal("urn:shop:problem:webhook-not-confirmed", problem.GetProperty("type").GetString());
        Assert.Contains(detail, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    private async Task<ShopTestServices> StartAsync(Dictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["Webhooks:ValidationHandshake"] = "true",
            ["Webhooks:RequestOrigin"] = Origin,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var (shop, _) = await WebhookTests.StartAsync(
            azurite.ConnectionString,
            values,
            services => services.Replace(ServiceDescriptor.Singleton<IWebhookHostResolver>(_resolver)));
        return shop;
    }

    private Task<TestResponse> RegisterAsync(Uri url) =>
        WebhookTests.RegisterAsync(_shop, WebhookTests.Registration(url.AbsoluteUri, "*"));

    private async Task<IReadOnlyList<WebhookSubscriptionRow>> ListAsync() =>
        await _shop.Get<WebhookSubscriptionStore>().ListAsync(CancellationToken.None);
}
