using System.Collections.Concurrent;
using Shop.Functions.Webhooks.Delivery;

namespace Shop.Functions.Tests.Webhooks;

/// <summary>
/// Stands in for the HTTP sender in tests of the delivery handler's decisions: answers each post with the next
/// scripted result (the last one repeats) and records what it was asked to post.
/// </summary>
public sealed class ScriptedWebhookSender : IWebhookSender
{
    private readonly ConcurrentQueue<WebhookPost> _posts = new();
    private readonly Queue<WebhookPostStatus> _script = new();

    public IReadOnlyCollection<WebhookPost> Posts => _posts;

    public ScriptedWebhookSender Then(params WebhookPostStatus[] statuses)
    {
        foreach (var status in statuses)
        {
            _script.Enqueue(status);
        }

        return this;
    }

    public Task<WebhookPostResult> PostAsync(WebhookPost post, CancellationToken cancellationToken)
    {
        _posts.Enqueue(post);
        var status = _script.Count > 1 ? _script.Dequeue() : _script.TryPeek(out var last) ? last : WebhookPostStatus.Delivered;
        IReadOnlyList<WebhookAttempt> attempts = status switch
        {
            WebhookPostStatus.Delivered => [new WebhookAttempt(post.Timestamp, TimeSpan.FromMilliseconds(12), 200, null)],
            WebhookPostStatus.Gone => [new WebhookAttempt(post.Timestamp, TimeSpan.FromMilliseconds(8), 410, "410 Gone")],
            WebhookPostStatus.Failed =>
            [
                new WebhookAttempt(post.Timestamp, TimeSpan.FromMilliseconds(5), 500, "500 Internal Server Error"),
                new WebhookAttempt(post.Timestamp, TimeSpan.FromMilliseconds(5), 503, "503 Service Unavailable"),
            ],
            _ => [],
        };
        var error = status switch
        {
            WebhookPostStatus.Delivered => null,
            WebhookPostStatus.Refused => "10.0.0.1 is a private address",
            WebhookPostStatus.Deferred => "circuit open for 127.0.0.1:9",
            _ => attempts[^1].Error,
        };
        return Task.FromResult(new WebhookPostResult(status, attempts, error));
    }
}
