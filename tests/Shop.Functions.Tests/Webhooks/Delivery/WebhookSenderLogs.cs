using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Webhooks.Delivery;
using Xunit;
using static Shop.Functions.Tests.Webhooks.Delivery.WebhookDeliveryTest;

namespace Shop.Functions.Tests.Webhooks.Delivery;

/// <summary>
/// No log record of a delivery (the app's, the HttpClient's, their scopes and exceptions, at every level) holds the
/// URL's path or query: Slack, Discord and Teams webhook URLs and order callbackUrls carry their token there.
/// </summary>
public sealed class WebhookSenderLogs
{
    private const string TokenPath = "/services/T0SECRET/B0SECRET/XyZsecretTokenInThePath";
    private const string TokenQuery = "sig=secretTokenInTheQuery";

    [Fact]
    public async Task NameTheHostButNeverTheUrlPathOrQuery()
    {
        await using var receiver = await WebhookReceiver.StartAsync(ReceiverReply.Status(500, "try later"), ReceiverReply.Status(200));
        await using var test = Create();
        var url = new Uri($"http://127.0.0.1:{receiver.Port}{TokenPath}?{TokenQuery}");
        var closed = new Uri($"http://127.0.0.1:{WebhookReceiver.ClosedPort()}{TokenPath}?{TokenQuery}");

        var delivered = await test.Sender.PostAsync(Post(url), CancellationToken.None);
        var failed = await test.Sender.PostAsync(Post(closed), CancellationToken.None);

        Assert.Equal((WebhookPostStatus.Delivered, WebhookPostStatus.Failed), (delivered.Status, failed.Status));
        Assert.Equal(TokenPath, receiver.Requests[0].Path);
        Assert.Contains(test.Logs.Records, r => r.Message.Contains($"127.0.0.1:{receiver.Port}", StringComparison.Ordinal));
        Assert.Contains(test.Logs.Records, r => r.Message.Contains($"127.0.0.1:{closed.Port}", StringComparison.Ordinal));
        Assert.All(test.Logs.Records, record =>
        {
            var text = string.Join('\n', [record.Message, .. record.Scope.Select(s => $"{s.Key}={s.Value}"), record.Exception?.ToString() ?? string.Empty]);
            Assert.False(text.Contains("secretToken", StringComparison.Ordinal) || text.Contains("SECRET", StringComparison.Ordinal), $"{record.Category}: {text}");
        });
        Assert.DoesNotContain(test.Logs.Records, r => r.Category.StartsWith("System.Net.Http.HttpClient.", StringComparison.Ordinal));
    }
}
