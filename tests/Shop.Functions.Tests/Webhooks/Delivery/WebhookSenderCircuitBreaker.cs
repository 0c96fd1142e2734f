using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Webhooks;
using Shop.Functions.Webhooks.Delivery;
using Xunit;
using static Shop.Functions.Tests.Webhooks.Delivery.WebhookDeliveryTest;

namespace Shop.Functions.Tests.Webhooks.Delivery;

public sealed class WebhookSenderCircuitBreaker
{
    private static void OpensAfterTwoFailures(WebhookOptions options)
    {
        options.MaxAttempts = 1;
        options.CircuitBreakerMinimumThroughput = 2;
        options.CircuitBreakerFailureRatio = 0.5;
        options.CircuitBreakerSamplingDuration = TimeSpan.FromMinutes(1);
        options.CircuitBreakerBreakDuration = TimeSpan.FromMinutes(1);
    }

    [Fact]
    public async Task DefersWithoutARequestOnceTheCircuitIsOpen()
    {
        await using var failing = await WebhookReceiver.StartAsync();
        failing.Default = ReceiverReply.Status(500);
        await using var healthy = await WebhookReceiver.StartAsync();
        await using var test = Create(OpensAfterTwoFailures);

        Assert.Equal(WebhookPostStatus.Failed, (await test.Sender.PostAsync(Post(failing.Url), CancellationToken.None)).Status);
        Assert.Equal(WebhookPostStatus.Failed, (await test.Sender.PostAsync(Post(failing.Url), CancellationToken.None)).Status);
        var deferred = await test.Sender.PostAsync(Post(failing.Url), CancellationToken.None);
        var other = await test.Sender.PostAsync(Post(healthy.Url), CancellationToken.None);

        Assert.Equal(WebhookPostStatus.Deferred, deferred.Status);
        Assert.Empty(deferred.Attempts);
        Assert.Equal(2, failing.RequestCount);
        Assert.Equal(WebhookPostStatus.Delivered, other.Status);
        Assert.Equal(1, healthy.RequestCount);
        Assert.Contains(test.Logs.Records, r => r.Message.Contains("opened", StringComparison.Ordinal) && r.Message.Contains($"127.0.0.1:{failing.Port}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LetsAProbeThroughAfterTheBreak()
    {
        await using var receiver = await WebhookReceiver.StartAsync(ReceiverReply.Status(500), ReceiverReply.Status(500));
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var test = Create(
            o =>
            {
                OpensAfterTwoFailures(o);
                o.CircuitBreakerBreakDuration = TimeSpan.FromMinutes(1);
            },
            time: clock);
        await test.Sender.PostAsync(Post(receiver.Url), CancellationToken.None);
        await test.Sender.PostAsync(Post(receiver.Url), CancellationToken.None);
        Assert.Equal(WebhookPostStatus.Deferred, (await test.Sender.PostAsync(Post(receiver.Url), CancellationToken.None)).Status);

        clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        var probe = await test.Sender.PostAsync(Post(receiver.Url), CancellationToken.None);

        Assert.Equal(WebhookPostStatus.Delivered, probe.Status);
        Assert.Equal(3, receiver.RequestCount);
    }

    [Fact]
    public async Task DoesNotCountRefusalsAsFailures()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var resolver = new ScriptedHostResolver().Answer("rebind.test", "10.0.0.1", "10.0.0.1", "10.0.0.1", "10.0.0.1", "127.0.0.1");
        await using var test = Create(OpensAfterTwoFailures, resolver);
        var url = new Uri($"http://rebind.test:{receiver.Port}/hooks");

        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(WebhookPostStatus.Refused, (await test.Sender.PostAsync(Post(url), CancellationToken.None)).Status);
        }

        var result = await test.Sender.PostAsync(Post(url), CancellationToken.None);

        Assert.Equal(WebhookPostStatus.Delivered, result.Status);
        Assert.Equal(1, receiver.RequestCount);
    }
}
