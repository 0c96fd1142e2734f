using Shop.Functions.Webhooks;
using Shop.Functions.Webhooks.Delivery;
using Xunit;

namespace Shop.Functions.Tests.Webhooks.Delivery;

/// <summary>The SSRF guard at registration.</summary>
public sealed class WebhookDestinationGuardCheckAsync
{
    private readonly ScriptedHostResolver _resolver = new ScriptedHostResolver()
        .Answer("hooks.example", "93.184.215.14, 2606:2800:21f:cb07::10")
        .Answer("mixed.example", "93.184.215.14, 10.0.0.1");

    public static TheoryData<string> ForbiddenAddresses => WebhookSenderDestinationGuard.ForbiddenAddresses;

    [Theory]
    [MemberData(nameof(ForbiddenAddresses))]
    public async Task RefusesAForbiddenAddressLiteral(string address)
    {
        var host = address.Contains(':', StringComparison.Ordinal) ? $"[{address}]" : address;

        var check = await Check($"https://{host}/hooks");

        Assert.False(check.IsAllowed);
        Assert.Contains(address, check.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ForbiddenAddresses))]
    public async Task RefusesAHostNameThatResolvesToAForbiddenAddress(string address)
    {
        _resolver.Answer("internal.example", address);

        var check = await Check("https://internal.example/hooks");

        Assert.False(check.IsAllowed);
        Assert.Contains($"'internal.example' resolves to {address}", check.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AllowsAHostThatResolvesToPublicAddresses() =>
        Assert.Equal(DestinationCheck.Allowed, await Check("https://hooks.example/hooks?token=abc"));

    [Fact]
    public async Task RefusesWhenAnyResolvedAddressIsForbidden() =>
        Assert.False((await Check("https://mixed.example/hooks")).IsAllowed);

    [Fact]
    public async Task RefusesAHostThatDoesNotResolve()
    {
        var check = await Check("https://nowhere.example/hooks");

        Assert.False(check.IsAllowed);
        Assert.Contains("does not resolve", check.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://hooks.example/hooks", "https")]
    [InlineData("ftp://hooks.example/hooks", "https")]
    [InlineData("file:///etc/passwd", "https")]
    [InlineData("https://user:pass@hooks.example/hooks", "user info")]
    [InlineData("/relative/hooks", "absolute")]
    public async Task RefusesAUrlOfTheWrongForm(string url, string reason)
    {
        var check = await Check(url);

        Assert.False(check.IsAllowed);
        Assert.Contains(reason, check.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AllowsPlainHttpWhenHttpsIsNotRequired() =>
        Assert.True((await Check("http://hooks.example/hooks", o => o.RequireHttps = false)).IsAllowed);

    [Theory]
    [InlineData("https://127.0.0.1/hooks", true)]
    [InlineData("https://[::1]/hooks", true)]
    [InlineData("https://10.0.0.1/hooks", false)]
    [InlineData("https://169.254.169.254/latest/meta-data", false)]
    [InlineData("https://[fd00::1]/hooks", false)]
    public async Task AllowLoopbackAllowsLoopbackOnly(string url, bool allowed) =>
        Assert.Equal(allowed, (await Check(url, o => o.AllowLoopback = true)).IsAllowed);

    private async Task<DestinationCheck> Check(string url, Action<WebhookOptions>? configure = null)
    {
        await using var test = WebhookDeliveryTest.Create(
            o =>
            {
                o.RequireHttps = true;
                o.AllowLoopback = false;
                configure?.Invoke(o);
            },
            _resolver);
        return await test.Guard.CheckAsync(new Uri(url, UriKind.RelativeOrAbsolute), CancellationToken.None);
    }
}
