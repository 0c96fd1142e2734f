using Azure;
using Azure.Data.Tables;
using Shop.Functions.Messaging;
using Shop.Functions.Orders.Watchdog;
using Shop.Functions.Platform;

namespace Shop.Functions.Orders;

/// <summary>Point reads of order rows, and the outbox rows an order's partition holds.</summary>
public sealed class OrderStore(TableServiceClient tables)
{
    private readonly TableClient _openOrders = tables.GetTableClient(StorageTables.OpenOrders);

    public TableClient Table { get; } = tables.GetTableClient(StorageTables.Orders);

    /// <summary>
    /// The order, or null when no order has that id. Ids that are not well formed are not looked up. An order accepted
    /// but whose row is not written yet (the front door writes only its open-orders entry, and the row behind the 202) is
    /// written here from its entry, so every caller gets a row it can update: one more read, only when the row is missing.
    /// </summary>
    public async Task<OrderRow?> FindAsync(string orderId, CancellationToken cancellationToken)
    {
        if (!OrderIds.IsWellFormed(orderId))
        {
            return null;
        }

        if (await ReadRowAsync(orderId, cancellationToken) is { } row)
        {
            return row;
        }

        var (entry, held) = await OpenOrderIndex.HeldOrderAsync(_openOrders, orderId, cancellationToken);
        if (held is not null)
        {
            return await WriteHeldAsync(held, cancellationToken);
        }

        // An entry that no longer holds the order: its row was written between the two reads.
        return entry ? await ReadRowAsync(orderId, cancellationToken) : null;
    }

    private async Task<OrderRow?> ReadRowAsync(string orderId, CancellationToken cancellationToken)
    {
        var response = await Table.GetEntityIfExistsAsync<OrderRow>(orderId, OrderRow.OrderRowKey, cancellationToken: cancellationToken);
        return response.HasValue ? response.Value : null;
    }

    /// <summary>
    /// Writes the order row from the order its open-orders entry holds (the front door's background write, a reader or the
    /// watchdog, whichever comes first: the others conflict and read it). Returns the row as stored.
    /// </summary>
    public async Task<OrderRow> WriteHeldAsync(OrderRow held, CancellationToken cancellationToken)
    {
        try
        {
            var added = await Table.AddEntityAsync(held, cancellationToken);
            held.ETag = added.Headers.ETag ?? default;
            return held;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            var stored = await Table.GetEntityAsync<OrderRow>(held.OrderId, OrderRow.OrderRowKey, cancellationToken: cancellationToken);
            return stored.Value;
        }
    }

    /// <summary>
    /// The outbox rows still in the order's partition (one query of that partition, never a scan): normally none, since
    /// rows are deleted once sent; rows left by a writer that died between its transaction and its sends otherwise.
    /// </summary>
    public async Task<List<OutboxRow>> OutboxRowsAsync(string orderId, CancellationToken cancellationToken)
    {
        if (!OrderIds.IsWellFormed(orderId))
        {
            return [];
        }

        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {orderId} and RowKey ge {OutboxRow.RowKeyPrefix} and RowKey lt {OutboxRow.RowKeyEnd}");
        var rows = new List<OutboxRow>();
        await foreach (var row in Table.QueryAsync<OutboxRow>(filter, cancellationToken: cancellationToken))
        {
            rows.Add(row);
        }

        return rows;
    }
}
