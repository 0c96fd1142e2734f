using System.Net;
using Shop.Functions.Webhooks;
using Shop.Functions.Webhooks.Delivery;
using Xunit;
using static Shop.Functions.Tests.Webhooks.Delivery.WebhookDeliveryTest;

namespace Shop.Functions.Tests.Webhooks.Delivery;

/// <summary>The SSRF guard at connect time: what the URL's host resolves to when the request is sent.</summary>
public sealed class WebhookSenderDestinationGuard
{
    public static TheoryData<string> ForbiddenAddresses => ["127.0.0.1", "10.0.0.1", "172.16.0.1", "192.168.1.1", "169.254.169.254", "::1", "fd00::1"];

    // A short timeout: were a forbidden address dialled, the attempt would time out (Failed), not be Refused.
    private static void NoLoopback(WebhookOptions options)
    {
        options.AllowLoopback = false;
        options.Timeout = TimeSpan.FromSeconds(2);
    }

    [Theory]
    [MemberData(nameof(ForbiddenAddresses))]
    public async Task RefusesANameThatRebindsToAForbiddenAddressAfterTheCheck(string address)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var resolver = new ScriptedHostResolver().Answer("rebind.test", "93.184.215.14", address);
        await using var test = Create(NoLoopback, resolver);
        var url = new Uri($"http://rebind.test:{receiver.Port}/hooks");

        var check = await test.Guard.CheckAsync(url, CancellationToken.None);
        var result = await test.Sender.PostAsync(Post(url), CancellationToken.None);

        Assert.True(check.IsAllowed, check.Reason);
        Assert.Equal(WebhookPostStatus.Refused, result.Status);
        var attempt = Assert.Single(result.Attempts);
        Assert.Null(attempt.StatusCode);
        Assert.Contains(IPAddress.Parse(address).ToString(), result.Error, StringComparison.Ordinal);
        Assert.Equal(0, receiver.RequestCount);
        Assert.Equal(2, resolver.Calls("rebind.test"));
    }

    [Theory]
    [MemberData(nameof(ForbiddenAddresses))]
    public async Task RefusesAForbiddenAddressLiteral(string address)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var test = Create(NoLoopback);
        var host = IPAddress.Parse(address).AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address;

        var result = await test.Sender.PostAsync(Post(new Uri($"http://{host}:{receiver.Port}/hooks")), CancellationToken.None);

        Assert.Equal(WebhookPostStatus.Refused, result.Status);
        Assert.Single(result.Attempts);
        Assert.Equal(0, receiver.RequestCount);
    }

    [Fact]
    public async Task RefusesWhenAnyResolvedAddressIsForbidden()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var resolver = new ScriptedHostResolver().Answer("mixed.test", "127.0.0.1, 10.0.0.1");
        await using var test = Create(o => o.Timeout = TimeSpan.FromSeconds(2), resolver);

        var result = await test.Sender.PostAsync(Post(new Uri($"http://mixed.test:{receiver.Port}/hooks")), CancellationToken.None);

        Assert.Equal(WebhookPostStatus.Refused, result.Status);
        Assert.Equal(0, receiver.RequestCount);
    }

    [Fact]
    public async Task AllowLoopbackLetsLoopbackThroughButNotAPrivateAddress()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var resolver = new ScriptedHostResolver().Answer("rebind.test", "10.0.0.1");
        await using var test = Create(o => o.Timeout = TimeSpan.FromSeconds(2), resolver);

        var loopback = await test.Sender.PostAsync(Post(receiver.Url), CancellationToken.None);
        var rebound = await test.Sender.PostAsync(Post(new Uri($"http://rebind.test:{receiver.Port}/hooks")), CancellationToken.None);

        Assert.Equal(WebhookPostStatus.Delivered, loopback.Status);
        Assert.Equal(WebhookPostStatus.Refused, rebound.Status);
        Assert.Equal(1, receiver.RequestCount);
    }

    [Fact]
    public async Task ConnectsToTheAddressItChecked()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var resolver = new ScriptedHostResolver().Answer("hooks.test", "127.0.0.1");
        await using var test = Create(resolver: resolver);

        var result = await test.Sender.PostAsync(Post(new Uri($"http://hooks.test:{receiver.Port}/hooks")), CancellationToken.None);

        Assert.Equal(WebhookPostStatus.Delivered, result.Status);
        Assert.Equal($"hooks.test:{receiver.Port}", Assert.Single(receiver.Requests).Header("host"));
    }

    [Fact]
    public async Task RefusesAtConnectTimeWithoutCountingAgainstAnotherHost()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var resolver = new ScriptedHostResolver().Answer("rebind.test", "169.254.169.254");
        await using var test = Create(
            o =>
            {
                o.MaxAttempts = 1;
                o.CircuitBreakerMinimumThroughput = 2;
            },
            resolver);

        for (var i = 0; i < 3; i++)
        {
            await test.Sender.PostAsync(Post(new Uri($"http://rebind.test:{receiver.Port}/hooks")), CancellationToken.None);
        }

        Assert.Equal(WebhookPostStatus.Delivered, (await test.Sender.PostAsync(Post(receiver.Url), CancellationToken.None)).Status);
    }
}
