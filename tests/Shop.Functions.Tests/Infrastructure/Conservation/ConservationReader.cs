using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Shop.Functions.Fulfillment;
using Shop.Functions.Inventory;
using Shop.Functions.Notifications;
using Shop.Functions.Orders;
using Shop.Functions.Platform;
using Shop.Functions.Tests.Webhooks;

namespace Shop.Functions.Tests.Infrastructure;

/// <summary>
/// The order ids that existed before a run (in any table or the e-mail container). On an Azurite shared with other
/// tests, rows of those orders are not the run's and are left out; on a private Azurite the baseline is empty.
/// </summary>
public sealed class ConservationBaseline(IReadOnlySet<string> orderIds, IReadOnlySet<string>? receiptKeys = null)
{
    public static ConservationBaseline Empty { get; } = new(new HashSet<string>(StringComparer.Ordinal));

    public IReadOnlySet<string> OrderIds { get; } = orderIds;

    /// <summary>Goods receipts and replenishments already stored ("{sku}/{rowKey}"): not this run's units.</summary>
    public IReadOnlySet<string> ReceiptKeys { get; } = receiptKeys ?? new HashSet<string>(StringComparer.Ordinal);

    public static async Task<ConservationBaseline> CaptureAsync(TableServiceClient tables, BlobServiceClient? blobs)
    {
        var snapshot = await ConservationReader.ReadAsync(tables, blobs, null);
        var ids = snapshot.Orders.Select(o => o.OrderId)
            .Concat(snapshot.Payments.Keys).Concat(snapshot.Shipments.Keys)
            .Concat(snapshot.Reservations.Select(r => r.OrderId)).Concat(snapshot.Announcements.Select(a => a.OrderId));
        return new ConservationBaseline(ids.ToHashSet(StringComparer.Ordinal), snapshot.ReceiptKeys.ToHashSet(StringComparer.Ordinal));
    }
}

/// <summary>Reads whole tables and containers into a <see cref="ConservationSnapshot"/>. Use clients without injected faults.</summary>
public static class ConservationReader
{
    public static async Task<ConservationSnapshot> ReadAsync(
        TableServiceClient tables, BlobServiceClient? blobs, ConservationBaseline? baseline, IEnumerable<ReceivedWebhook>? webhooks = null)
    {
        ArgumentNullException.ThrowIfNull(tables);
        var known = baseline?.OrderIds ?? ConservationBaseline.Empty.OrderIds;
        bool Ours(string orderId) => !known.Contains(orderId);
        var snapshot = new ConservationSnapshot();

        foreach (var row in await AllAsync<OrderRow>(tables, StorageTables.Orders, $"RowKey eq '{OrderRow.OrderRowKey}'"))
        {
            if (Ours(row.OrderId))
            {
                var (total, currency) = TotalOf(row);
                snapshot.Orders.Add(new OrderFacts(row.OrderId, row.Status, row.FailureReason, row.GetItems(), total, currency));
            }
        }

        foreach (var group in (await AllAsync<TableEntity>(tables, StorageTables.PaymentsSandbox)).Where(r => Ours(r.PartitionKey)).GroupBy(r => r.PartitionKey, StringComparer.Ordinal))
        {
            var charge = group.FirstOrDefault(r => r.RowKey == "charge");
            var captured = charge?.GetString("Outcome") == "Captured" ? Amount(charge.GetString("Amount")) : 0m;
            var refunded = group.Where(r => r.RowKey.StartsWith("refund", StringComparison.Ordinal)).Sum(r => Amount(r.GetString("Amount")));
            snapshot.Payments[group.Key] = new PaymentFacts(group.Key, captured, refunded, charge?.GetString("Currency"), [.. group.Select(r => r.RowKey)]);
        }

        foreach (var row in await AllAsync<TableEntity>(tables, StorageTables.Inventory))
        {
            if (row.RowKey == InventoryKeys.StockRowKey)
            {
                snapshot.Stock[row.PartitionKey] = row.GetInt32("Available") ?? 0;
            }
            else if ((row.RowKey.StartsWith("receipt|", StringComparison.Ordinal) || row.RowKey.StartsWith("replenishment|", StringComparison.Ordinal))
                && snapshot.ReceiptKeys.Add($"{row.PartitionKey}/{row.RowKey}") && baseline?.ReceiptKeys.Contains($"{row.PartitionKey}/{row.RowKey}") != true)
            {
                snapshot.Received[row.PartitionKey] = snapshot.Received.GetValueOrDefault(row.PartitionKey) + (row.GetInt32("Quantity") ?? 0);
            }
            else if (row.RowKey.StartsWith(InventoryKeys.ReservationRowKeyPrefix, StringComparison.Ordinal) && row.GetString("OrderId") is { } orderId && Ours(orderId))
            {
                snapshot.Reservations.Add(new ReservationFacts(row.PartitionKey, orderId, row.GetInt32("Quantity") ?? 0, row.GetString("Status") == ReservationStatuses.Reserved));
            }
        }

        foreach (var group in (await AllAsync<TableEntity>(tables, StorageTables.Shipments)).Where(r => Ours(r.PartitionKey)).GroupBy(r => r.PartitionKey, StringComparer.Ordinal))
        {
            var row = group.FirstOrDefault(r => r.RowKey == "shipment") ?? group.First();
            snapshot.Shipments[group.Key] = new ShipmentFacts(group.Key, row.GetString("State"));
        }

        if (blobs is not null)
        {
            var container = blobs.GetBlobContainerClient(SandboxEmailSender.ContainerName);
            if (await container.ExistsAsync())
            {
                await foreach (var blob in container.GetBlobsAsync())
                {
                    var parts = blob.Name.Split('/');
                    // The sandbox's .eml, or the SMTP sender's marker of an e-mail the server accepted.
                    var extension = Path.GetExtension(parts[^1]);
                    if (parts.Length == 2 && extension is ".eml" or ".smtp" && Ours(parts[0]))
                    {
                        snapshot.Announcements.Add(new Announcement(parts[0], Announcement.Email, parts[1][..^extension.Length]));
                    }
                }
            }
        }

        foreach (var request in webhooks ?? [])
        {
            if (TryReadEvent(request.Body) is { } said && Ours(said.OrderId))
            {
                snapshot.Announcements.Add(said);
            }
        }

        return snapshot;
    }

    private static Announcement? TryReadEvent(string body)
    {
        try
        {
            var root = JsonDocument.Parse(body).RootElement;
            return root.TryGetProperty("subject", out var subject) && root.TryGetProperty("type", out var type)
                ? new Announcement(subject.GetString()!, Announcement.Webhook, type.GetString()!)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static (decimal Total, string Currency) TotalOf(OrderRow order)
    {
        try
        {
            return CatalogPrices.Total(order);
        }
        catch (InvalidOperationException)
        {
            // A SKU the catalog does not know: nothing can be charged for it.
            return (0m, "?");
        }
    }

    private static decimal Amount(string? text) => decimal.Parse(text ?? "0", NumberStyles.Number, CultureInfo.InvariantCulture);

    private static async Task<List<T>> AllAsync<T>(TableServiceClient tables, string table, string? filter = null)
        where T : class, ITableEntity, new()
    {
        try
        {
            return await tables.GetTableClient(table).QueryAsync<T>(filter).ToListAsync();
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return [];
        }
    }
}
