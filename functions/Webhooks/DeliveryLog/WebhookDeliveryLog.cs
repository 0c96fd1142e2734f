using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Shop.Functions.Platform;
using Shop.Functions.Webhooks.Dispatch;

namespace Shop.Functions.Webhooks.DeliveryLog;

/// <summary>How a <see cref="WebhookDeliveryLog.ClaimAsync"/> ended.</summary>
public enum DeliveryClaim
{
    /// <summary>This handler may post; the row is leased to it.</summary>
    Claimed,

    /// <summary>Already delivered (or gone) in this round: a duplicate command.</summary>
    AlreadySettled,

    /// <summary>A later redelivery round exists: this command is stale.</summary>
    Superseded,

    /// <summary>Another copy of the command is posting right now (its lease has not expired).</summary>
    Busy,
}

/// <summary>The <c>WebhookDeliveries</c> table: the idempotency record and the log of every delivery.</summary>
public sealed class WebhookDeliveryLog(TableServiceClient tables)
{
    private const int MaxConcurrencyAttempts = 5;

    private readonly TableClient _table = tables.GetTableClient(StorageTables.WebhookDeliveries);

    /// <summary>
    /// Takes the delivery for one attempt: creates its row, or leases an existing one that is not settled in this
    /// round and not leased by another copy. Conditional writes (ETag, insert) make two copies exclusive.
    /// </summary>
    public async Task<(DeliveryClaim Claim, WebhookDeliveryRow Row)> ClaimAsync(
        DeliverWebhook command, string url, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            // A first round's first try inserts without reading: almost always there is no row yet, and a copy that
            // finds one (409) reads it on the next turn. Saves a read that answers 404 on nearly every delivery.
            var row = attempt == 1 && command.Round == 0 ? null : await FindAsync(command.LogPartition, command.DeliveryId, cancellationToken);
            if (row is not null)
            {
                if (command.Round < row.Round)
                {
                    return (DeliveryClaim.Superseded, row);
                }

                if (command.Round == row.Round && WebhookDeliveryStatuses.IsSettled(row.Status))
                {
                    return (DeliveryClaim.AlreadySettled, row);
                }

                if (row.Status == WebhookDeliveryStatuses.Delivering && row.LeaseUntil > now)
                {
                    return (DeliveryClaim.Busy, row);
                }
            }

            var claimed = row ?? NewRow(command, now);
            claimed.Status = WebhookDeliveryStatuses.Delivering;
            claimed.Round = command.Round;
            claimed.Url = url;
            claimed.LeaseUntil = now + lease;
            claimed.NextAttemptAt = null;
            try
            {
                var response = row is null
                    ? await _table.AddEntityAsync(claimed, cancellationToken)
                    : await _table.UpdateEntityAsync(claimed, claimed.ETag, TableUpdateMode.Replace, cancellationToken);
                claimed.ETag = response.Headers.ETag ?? ETag.All;
                return (DeliveryClaim.Claimed, claimed);
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 && attempt < MaxConcurrencyAttempts + 1)
            {
                // Another copy created or changed the row since it was read: decide again on what it wrote.
            }
        }
    }

    /// <summary>Writes the outcome of the attempt this handler claimed, and releases the lease.</summary>
    public async Task RecordAsync(
        WebhookDeliveryRow row,
        string status,
        IEnumerable<WebhookAttemptRecord> attempts,
        string? error,
        DateTimeOffset? nextAttemptAt,
        DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        row.AddAttempts(attempts);
        var last = row.GetAttempts().LastOrDefault();
        row.Status = status;
        row.LastStatusCode = last?.StatusCode ?? row.LastStatusCode;
        row.LastError = error;
        row.NextAttemptAt = nextAttemptAt;
        row.LeaseUntil = null;
        if (status == WebhookDeliveryStatuses.Delivered)
        {
            row.DeliveredAt = now;
        }

        await _table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, cancellationToken);
    }

    public async Task<WebhookDeliveryRow?> FindAsync(string partition, string deliveryId, CancellationToken cancellationToken)
    {
        if (!WebhookIds.IsDeliveryId(deliveryId))
        {
            return null;
        }

        var response = await _table.GetEntityIfExistsAsync<WebhookDeliveryRow>(partition, deliveryId, cancellationToken: cancellationToken);
        return response.HasValue ? response.Value : null;
    }

    /// <summary>Up to <paramref name="top"/> deliveries, newest event first, after the delivery id <paramref name="after"/> when given.</summary>
    public async Task<List<WebhookDeliveryRow>> ListAsync(string partition, int top, string? after, CancellationToken cancellationToken)
    {
        var filter = after is null
            ? TableClient.CreateQueryFilter($"PartitionKey eq {partition}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey gt {after}");
        var rows = new List<WebhookDeliveryRow>(top);
        await foreach (var row in _table.QueryAsync<WebhookDeliveryRow>(filter, maxPerPage: top, cancellationToken: cancellationToken))
        {
            rows.Add(row);
            if (rows.Count == top)
            {
                break;
            }
        }

        return rows;
    }

    private static WebhookDeliveryRow NewRow(DeliverWebhook command, DateTimeOffset now) => new()
    {
        PartitionKey = command.LogPartition,
        RowKey = command.DeliveryId,
        SubscriptionId = command.SubscriptionId,
        OrderId = command.Event.Data.OrderId,
        EventId = command.Event.Id,
        EventType = command.Event.Type,
        Sequence = command.Event.Data.Sequence,
        CreatedAt = now,
        Event = JsonSerializer.Serialize(command.Event, ShopJsonContext.Default.OrderEvent),
    };
}
