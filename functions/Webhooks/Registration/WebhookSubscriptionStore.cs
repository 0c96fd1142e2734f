using Azure;
using Azure.Data.Tables;
using Shop.Functions.Platform;

namespace Shop.Functions.Webhooks.Registration;

/// <summary>
/// The <c>Webhooks</c> table: registered subscriptions and their status. Every change drops the fan-out's cached list
/// (<see cref="WebhookSubscriptionCache"/>).
/// </summary>
public sealed class WebhookSubscriptionStore(TableServiceClient tables, TimeProvider time, WebhookSubscriptionCache cache)
{
    private const int MaxConcurrencyAttempts = 10;

    private readonly TableClient _table = tables.GetTableClient(StorageTables.Webhooks);

    /// <summary>
    /// Stores a new subscription. A failed insert is not taken for "not stored": its response may have been lost after it
    /// was carried out (and the SDK's resend then conflicts with it), so the row is read back, and a row with this
    /// subscription's secret (drawn for it alone) is this registration.
    /// </summary>
    /// <exception cref="WriteOutcomeUnknownException">The insert failed and the read-back did not answer.</exception>
    public async Task AddAsync(WebhookSubscriptionRow subscription, CancellationToken cancellationToken)
    {
        try
        {
            await _table.AddEntityAsync(subscription, cancellationToken);
        }
        catch (Exception ex) when (ex.IsStorageFailure())
        {
            WebhookSubscriptionRow? stored;
            try
            {
                stored = await FindAsync(subscription.Id, cancellationToken);
            }
            catch (Exception readFailure) when (readFailure.IsStorageFailure())
            {
                throw new WriteOutcomeUnknownException($"webhook {subscription.Id}", new AggregateException(ex, readFailure));
            }

            if (stored?.Secret != subscription.Secret)
            {
                throw;
            }
        }
        finally
        {
            cache.Invalidate();
        }
    }

    /// <summary>The subscription, or null when there is none with that id (ids that are not well formed are not looked up).</summary>
    public async Task<WebhookSubscriptionRow?> FindAsync(string id, CancellationToken cancellationToken)
    {
        if (!WebhookIds.IsSubscriptionId(id))
        {
            return null;
        }

        var response = await _table.GetEntityIfExistsAsync<WebhookSubscriptionRow>(WebhookSubscriptionRow.Partition, id, cancellationToken: cancellationToken);
        return response.HasValue ? response.Value : null;
    }

    /// <summary>
    /// The subscription as the fan-out's cached list has it (at most <see cref="WebhookOptions.SubscriptionCacheTtl"/> old,
    /// dropped by any change made on this instance), else as stored now (one registered since the list was read). A
    /// delivery reads it this way: a change made on another instance reaches deliveries within the TTL, as it reaches the
    /// fan-out.
    /// </summary>
    public async Task<WebhookSubscriptionRow?> FindCachedAsync(string id, CancellationToken cancellationToken)
    {
        if (!WebhookIds.IsSubscriptionId(id))
        {
            return null;
        }

        return (await ListCachedAsync(cancellationToken)).Find(subscription => subscription.Id == id)
            ?? await FindAsync(id, cancellationToken);
    }

    /// <summary>Every subscription, in id order (one partition query).</summary>
    public async Task<List<WebhookSubscriptionRow>> ListAsync(CancellationToken cancellationToken)
    {
        var all = new List<WebhookSubscriptionRow>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {WebhookSubscriptionRow.Partition}");
        await foreach (var subscription in _table.QueryAsync<WebhookSubscriptionRow>(filter, cancellationToken: cancellationToken))
        {
            all.Add(subscription);
        }

        return all;
    }

    /// <summary>Every subscription, as read at most <see cref="WebhookOptions.SubscriptionCacheTtl"/> ago (for the fan-out).</summary>
    public Task<List<WebhookSubscriptionRow>> ListCachedAsync(CancellationToken cancellationToken) =>
        cache.GetAsync(ListAsync, cancellationToken);

    /// <summary>Deleted subscriptions whose delivery log retention has not removed yet: one row each (RowKey = the id).</summary>
    public const string DeletedPartition = "deleted";

    private const string DeletedAt = nameof(DeletedAt);

    /// <summary>The deleted subscriptions (id and when), one partition query; never in <see cref="ListAsync"/>.</summary>
    public async Task<List<(string Id, DateTimeOffset DeletedAt)>> ListDeletedAsync(CancellationToken cancellationToken)
    {
        var deleted = new List<(string, DateTimeOffset)>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {DeletedPartition}");
        await foreach (var row in _table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            deleted.Add((row.RowKey, row.GetDateTimeOffset(DeletedAt) ?? DateTimeOffset.MinValue));
        }

        return deleted;
    }

    /// <summary>Drops the record of a deleted subscription, once its delivery log is gone.</summary>
    public Task ForgetDeletedAsync(string id, CancellationToken cancellationToken) =>
        _table.DeleteEntityAsync(DeletedPartition, id, ETag.All, cancellationToken);

    /// <summary>True when it existed.</summary>
    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        if (!WebhookIds.IsSubscriptionId(id))
        {
            return false;
        }

        try
        {
            var response = await _table.DeleteEntityAsync(WebhookSubscriptionRow.Partition, id, ETag.All, cancellationToken);
            if (response.Status == 404)
            {
                return false;
            }

            // Retention finds the deleted subscription's delivery log through this row (Platform/Retention).
            await _table.UpsertEntityAsync(
                new TableEntity(DeletedPartition, id) { [DeletedAt] = time.GetUtcNow() }, TableUpdateMode.Replace, cancellationToken);
            return true;
        }
        finally
        {
            cache.Invalidate();
        }
    }

    /// <summary>Makes <paramref name="newSecret"/> current; the old one signs too until the grace period ends. Null when unknown.</summary>
    public Task<WebhookSubscriptionRow?> RotateSecretAsync(string id, string newSecret, TimeSpan gracePeriod, CancellationToken cancellationToken) =>
        ChangeAsync(id, subscription =>
        {
            subscription.PreviousSecret = subscription.Secret;
            subscription.PreviousSecretExpiresAt = time.GetUtcNow() + gracePeriod;
            subscription.Secret = newSecret;
            return true;
        }, cancellationToken);

    /// <summary>Applies <paramref name="update"/> under the row's ETag. Null when unknown.</summary>
    public Task<WebhookSubscriptionRow?> UpdateAsync(string id, ValidWebhookUpdate update, CancellationToken cancellationToken) =>
        ChangeAsync(id, subscription =>
        {
            ArgumentNullException.ThrowIfNull(update);
            if (update.Url is { } url)
            {
                subscription.Url = url.AbsoluteUri;
            }

            if (update.EventTypes is { } eventTypes)
            {
                subscription.EventTypes = string.Join(',', eventTypes);
            }

            if (update.Description is { } description)
            {
                subscription.Description = string.IsNullOrWhiteSpace(description) ? null : description;
            }

            return true;
        }, cancellationToken);

    /// <summary>How fresh <see cref="WebhookSubscriptionRow.LastDeliveredAt"/> is kept: it is written at most this often.</summary>
    public static readonly TimeSpan LastDeliveredResolution = TimeSpan.FromMinutes(1);

    /// <summary>
    /// A delivery succeeded: a failing subscription is active again (a disabled one stays disabled), and
    /// <c>LastDeliveredAt</c> moves on when it is older than <see cref="LastDeliveredResolution"/>. Otherwise nothing is
    /// read or written: every delivery to a subscription would else rewrite its one row, and concurrent deliveries
    /// would collide on its ETag (the pipeline benchmark measured 22 writes and 17 conflicts per order).
    /// </summary>
    /// <param name="known">The subscription as the caller read it before the delivery.</param>
    public async Task RecordDeliveredAsync(WebhookSubscriptionRow known, CancellationToken cancellationToken)
    {
        if (!NeedsDeliveredUpdate(known, time.GetUtcNow()))
        {
            return;
        }

        await ChangeAsync(known.Id, subscription =>
        {
            var now = time.GetUtcNow();
            if (!NeedsDeliveredUpdate(subscription, now))
            {
                return false;
            }

            subscription.LastDeliveredAt = now;
            if (subscription.Status == WebhookStatuses.Failing)
            {
                SetStatus(subscription, WebhookStatuses.Active, null);
            }

            return true;
        }, cancellationToken);
    }

    private static bool NeedsDeliveredUpdate(WebhookSubscriptionRow subscription, DateTimeOffset now) =>
        subscription.Status == WebhookStatuses.Failing
        || subscription.LastDeliveredAt is not { } last
        || now - last >= LastDeliveredResolution;

    /// <summary>Marks it <see cref="WebhookStatuses.Failing"/> (unless disabled) with the reason.</summary>
    public Task<WebhookSubscriptionRow?> MarkFailingAsync(string id, string reason, CancellationToken cancellationToken) =>
        ChangeAsync(id, subscription =>
        {
            if (subscription.Status == WebhookStatuses.Disabled)
            {
                return false;
            }

            SetStatus(subscription, WebhookStatuses.Failing, reason);
            return true;
        }, cancellationToken);

    public Task<WebhookSubscriptionRow?> DisableAsync(string id, string reason, CancellationToken cancellationToken) =>
        ChangeAsync(id, subscription =>
        {
            SetStatus(subscription, WebhookStatuses.Disabled, reason);
            return true;
        }, cancellationToken);

    private void SetStatus(WebhookSubscriptionRow subscription, string status, string? reason)
    {
        subscription.Status = status;
        subscription.StatusReason = reason;
        subscription.StatusChangedAt = time.GetUtcNow();
    }

    /// <summary>Read, change, write back under the row's ETag (again on a concurrent change). Null when there is no such row.</summary>
    private async Task<WebhookSubscriptionRow?> ChangeAsync(string id, Func<WebhookSubscriptionRow, bool> change, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var subscription = await FindAsync(id, cancellationToken);
            if (subscription is null || !change(subscription))
            {
                return subscription;
            }

            try
            {
                await _table.UpdateEntityAsync(subscription, subscription.ETag, TableUpdateMode.Replace, cancellationToken);
                cache.Invalidate();
                return subscription;
            }
            catch (RequestFailedException ex) when (ex.Status is 404)
            {
                return null;
            }
            catch (RequestFailedException ex) when (ex.Status is 412 && attempt < MaxConcurrencyAttempts)
            {
                // Real time, not the app clock: tests freeze the clock, and this only spreads writers out.
                await OptimisticConcurrency.BackOffAsync(attempt, TimeProvider.System, cancellationToken);
            }
        }
    }
}
