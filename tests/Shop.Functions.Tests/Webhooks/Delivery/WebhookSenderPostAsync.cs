using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Webhooks.Delivery;
using Xunit;
using static Shop.Functions.Tests.Webhooks.Delivery.WebhookDeliveryTest;

namespace Shop.Functions.Tests.Webhooks.Delivery;

public sealed class WebhookSenderPostAsync
{
    [Fact]
    public async Task PostsTheBodyAsAStructuredCloudEventWithStandardWebhooksHeadersAndTheOrigin()
    {
        // The attempt is stamped when it is sent: a clock that stands still keeps that second the post's own.
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var test = Create(time: clock);
        var post = Post(receiver.Url) with { Timestamp = clock.Now };

        var result = await test.Sender.PostAsync(post, CancellationToken.None);

        Assert.Equal(WebhookPostStatus.Delivered, result.Status);
        Assert.Null(result.Error);
        var attempt = Assert.Single(result.Attempts);
        Assert.Equal(200, attempt.StatusCode);
        var request = Assert.Single(receiver.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/hooks", request.Path);
        Assert.Equal("application/cloudevents+json; charset=utf-8", request.Header("content-type"));
        Assert.Equal(post.Body, request.Body);
        Assert.Equal(post.WebhookId, request.Header("webhook-id"));
        Assert.Equal(post.Timestamp.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), request.Header("webhook-timestamp"));
        Assert.Equal(ExpectedSignature(request, Secret), request.Header("webhook-signature"));
        Assert.Equal("shop.example", request.Header("webhook-request-origin"));
    }

    [Fact]
    public async Task SignsOnceWithEachSecretDuringARotation()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var test = Create();

        await test.Sender.PostAsync(Post(receiver.Url, OtherSecret, Secret), CancellationToken.None);

        var request = Assert.Single(receiver.Requests);
        Assert.Equal(
            [ExpectedSignature(request, OtherSecret), ExpectedSignature(request, Secret)],
            request.Header("webhook-signature").Split(' '));
        Assert.False(IsSignedWith(request, WebhookSignatures.GenerateSecret()));
    }

    [Fact]
    public async Task DeliversOnTheThirdAttemptGivenTwo500s()
    {
        await using var receiver = await WebhookReceiver.StartAsync(ReceiverReply.Status(500, "oops"), ReceiverReply.Status(500));
        await using var test = Create();

        var result = await test.Sender.PostAsync(Post(receiver.Url), CancellationToken.None);

        Assert.Equal(WebhookPostStatus.Delivered, result.Status);
        Assert.Equal([500, 500, 200], result.Attempts.Select(a => a.StatusCode));
        Assert.Equal("HTTP 500: oops", result.Attempts[0].Error);
        Assert.Equal(3, receiver.RequestCount);
        Assert.Single(receiver.Requests.Select(r => r.Header("webhook-id")).Distinct());
        Assert.All(receiver.Requests, r => Assert.True(IsSignedWith(r, Secret)));
        Assert.Contains(test.Logs.Records, r => r.Message.Contains("delivered", StringComparison.Ordinal) && r.Message.Contains("3 attempt", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StampsAndSignsEachQuickRetryAfresh()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Responder = _ =>
        {
            clock.Advance(TimeSpan.FromSeconds(30));
            return receiver.RequestCount < 3 ? ReceiverReply.Status(500) : ReceiverReply.Status(200);
        };
        await using var test = Create(time: clock);
        var post = Post(receiver.Url, OtherSecret, Secret) with { Timestamp = clock.Now };

        var result = await test.Sender.PostAsync(post, CancellationToken.None);

        Assert.Equal(WebhookPostStatus.Delivered, result.Status);
        var stamps = receiver.Requests.Select(r => long.Parse(r.Header("webhook-timestamp"), System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var first = post.Timestamp.ToUnixTimeSeconds();
        Assert.Equal([first, first + 30, first + 60], stamps);
        Assert.Equal(3, receiver.Requests.Select(r => r.Header("webhook-signature")).Distinct().Count());
        Assert.All(receiver.Requests, r => Assert.True(IsSignedWith(r, Secret) && IsSignedWith(r, OtherSecret)));
    }

    [Fact]
    public async Task FailsAfterTheQuickRetriesGivenOnly503s()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Default = ReceiverReply.Status(503);
        await using var test = Create();

        var result = await test.Sender.PostAsync(Post(receiver.Url), CancellationToken.None);

        Assert.Equal(WebhookPostStatus.Failed, result.Status);
        Assert.Equal(3, result.Attempts.Count);
        Assert.Equal(3, receiver.RequestCount);
        Assert.Equal("HTTP 503", result.Error);
    }

    [Fact]
    public async Task ReturnsGoneAfterOneRequestGiven410()
    {
        await using var receiver = await WebhookReceiver.StartAsync(ReceiverReply.Status(410));
        await using var test = Create();

        var result = await test.Sender.PostAsync(Post(receiver.Url), CancellationToken.None);

        Assert.Equal(WebhookPostStatus.Gone, result.Status);
        Assert.Equal(410, Assert.Single(result.Attempts).StatusCode);
        Assert.Equal(1, receiver.RequestCount);
    }

    [Fact]
    public async Task FailsWithoutRetryingGiven400()
    {
        await using var receiver = await WebhookReceiver.StartAsync(ReceiverReply.Status(400, "bad payload"));
        await using var test = Create();

        var result = await test.Sender.PostAsync(Post(receiver.Url), CancellationToken.None);

        Assert.Equal(WebhookPostStatus.Failed, result.Status);
        Assert.Single(result.Attempts);
        Assert.Equal("HTTP 400: bad payload", result.Error);
        Assert.Equal(1, receiver.RequestCount);
    }

    [Fact]
    public async Task RetriesGiven429And408()
    {
        await using var receiver = await WebhookReceiver.StartAsync(ReceiverReply.Status(429), ReceiverReply.Status(408));
        await using var test = Create();

        var result = await test.Sender.PostAsync(Post(receiver.Url), CancellationToken.None);

        Assert.Equal(WebhookPostStatus.Delivered, result.Status);
        Assert.Equal([429, 408, 200], result.Attempts.Select(a => a.StatusCode));
    }

    [Fact]
    public async Task DoesNotFollowARedirect()
    {
        await using var elsewhere = await WebhookReceiver.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync(ReceiverReply.Redirect(307, elsewhere.Url));
        await using var test = Create();

        var result = await test.Sender.PostAsync(Post(receiver.Url), CancellationToken.None);

        Assert.Equal(WebhookPostStatus.Failed, result.Status);
        Assert.Equal(307, Assert.Single(result.Attempts).StatusCode);
        Assert.Equal(0, elsewhere.RequestCount);
    }

    [Fact]
    public async Task FailsAfterTheQuickRetriesGivenTheReceiverIsDown()
    {
        await using var test = Create();
        var url = new Uri($"http://127.0.0.1:{WebhookReceiver.ClosedPort()}/hooks");

        var result = await test.Sender.PostAsync(Post(url), CancellationToken.None);

        Assert.Equal(WebhookPostStatus.Failed, result.Status);
        Assert.Equal(3, result.Attempts.Count);
        Assert.All(result.Attempts, a =>
        {
            Assert.Null(a.StatusCode);
            Assert.Contains("refused", a.Error, StringComparison.OrdinalIgnoreCase);
        });
        Assert.Equal(result.Attempts[^1].Error, result.Error);
    }

    [Fact]
    public async Task GivesUpAnAttemptAtTheTimeout()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Default = ReceiverReply.Hanging();
        await using var test = Create(o =>
        {
            o.Timeout = TimeSpan.FromMilliseconds(300);
            o.MaxAttempts = 2;
        });

        var result = await test.Sender.PostAsync(Post(receiver.Url), CancellationToken.None);

        Assert.Equal(WebhookPostStatus.Failed, result.Status);
        Assert.Equal(2, result.Attempts.Count);
        Assert.All(result.Attempts, a => Assert.Equal("Timed out after 0.3 s.", a.Error));
        Assert.Equal(2, receiver.RequestCount);
    }

    [Fact]
    public async Task StopsReadingTheResponseBodyAtTheCap()
    {
        // A body that never ends: read past the cap, the attempt would run into its timeout and fail.
        await using var receiver = await WebhookReceiver.StartAsync(ReceiverReply.EndlessStream());
        await using var test = Create(o =>
        {
            o.MaxAttempts = 1;
            o.Timeout = TimeSpan.FromSeconds(5);
        });

        var result = await test.Sender.PostAsync(Post(receiver.Url), CancellationToken.None);

        Assert.Equal(WebhookPostStatus.Delivered, result.Status);
        Assert.Equal(200, Assert.Single(result.Attempts).StatusCode);
        // The endless stream ends only because the client dropped the connection instead of reading on.
        await receiver.StreamEnded.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task KeepsOnlyAnExcerptOfAnErrorBody()
    {
        await using var receiver = await WebhookReceiver.StartAsync(ReceiverReply.Status(422, "line one\r\nline two " + new string('z', 20_000)));
        await using var test = Create();

        var result = await test.Sender.PostAsync(Post(receiver.Url), CancellationToken.None);

        Assert.Equal(WebhookPostStatus.Failed, result.Status);
        Assert.StartsWith("HTTP 422: line one  line two zzz", result.Error, StringComparison.Ordinal);
        Assert.True(result.Error!.Length < 400, $"error is {result.Error.Length} chars");
    }

    [Fact]
    public async Task RefusesPlainHttpWhenHttpsIsRequired()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var test = Create(o => o.RequireHttps = true);

        var result = await test.Sender.PostAsync(Post(receiver.Url), CancellationToken.None);

        Assert.Equal(WebhookPostStatus.Refused, result.Status);
        Assert.Empty(result.Attempts);
        Assert.Equal(0, receiver.RequestCount);
    }

    [Fact]
    public async Task NeverLogsOrRecordsSecretsOrSignatures()
    {
        await using var receiver = await WebhookReceiver.StartAsync(
            ReceiverReply.Echo(500, r => $"bad signature {r.Header("webhook-signature")}"),
            ReceiverReply.Echo(400, r => $"bad signature {r.Header("webhook-signature")}"));
        await using var test = Create();

        var result = await test.Sender.PostAsync(Post(receiver.Url, Secret, OtherSecret), CancellationToken.None);

        Assert.Equal(WebhookPostStatus.Failed, result.Status);
        var request = receiver.Requests[0];
        string[] hidden = [Secret, OtherSecret, Secret[6..], OtherSecret[6..], .. request.Header("webhook-signature").Split(' ').Select(s => s[3..])];
        Assert.Contains("[signature]", result.Error, StringComparison.Ordinal);
        Assert.NotEmpty(test.Logs.Records);
        foreach (var text in test.Logs.Records.Select(r => r.Message + r.Exception).Concat(result.Attempts.Select(a => a.Error)).Append(result.Error))
        {
            Assert.All(hidden, secret => Assert.DoesNotContain(secret, text ?? string.Empty, StringComparison.Ordinal));
        }
    }
}
