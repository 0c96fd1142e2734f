using Microsoft.Extensions.Options;

namespace Shop.Functions.Webhooks.Registration;

/// <summary>
/// The subscriptions as last read, for <see cref="WebhookOptions.SubscriptionCacheTtl"/>: the fan-out reads the one
/// <c>Webhooks</c> partition once per TTL, not once per event (that partition would otherwise cap fan-out at about 2,000
/// / subscribers events a second). Concurrent callers share one read. <see cref="WebhookSubscriptionStore"/> drops the
/// list whenever it changes a subscription, so a change made through this instance is seen by its next event.
/// </summary>
public sealed class WebhookSubscriptionCache(IOptions<WebhookOptions> options, TimeProvider time)
{
    private readonly Lock _gate = new();
    private (Task<List<WebhookSubscriptionRow>> Read, DateTimeOffset At)? _current;

    /// <summary>The cached list, or a new read by <paramref name="read"/> when there is none younger than the TTL.</summary>
    public Task<List<WebhookSubscriptionRow>> GetAsync(Func<CancellationToken, Task<List<WebhookSubscriptionRow>>> read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(read);
        var ttl = options.Value.SubscriptionCacheTtl;
        if (ttl <= TimeSpan.Zero)
        {
            return read(cancellationToken);
        }

        Task<List<WebhookSubscriptionRow>> shared;
        lock (_gate)
        {
            var now = time.GetUtcNow();
            if (_current is { } current && now - current.At < ttl && !current.Read.IsFaulted && !current.Read.IsCanceled)
            {
                shared = current.Read;
            }
            else
            {
                // Shared by every caller until the TTL ends, so not cancelled by the first caller's token.
                shared = read(CancellationToken.None);
                _current = (shared, now);
            }
        }

        return shared.WaitAsync(cancellationToken);
    }

    /// <summary>Forgets the list: the next caller reads the partition again.</summary>
    public void Invalidate()
    {
        lock (_gate)
        {
            _current = null;
        }
    }
}
