using Azure.Data.Tables;
using Shop.Functions.Messaging;
using Shop.Functions.Platform;

namespace Shop.Functions.Orders;

/// <summary>Point reads of order rows, and the outbox rows an order's partition holds.</summary>
public sealed class OrderStore(TableServiceClient tables)
{
    public TableClient Table { get; } = tables.GetTableClient(StorageTables.Orders);

    /// <summary>The order, or null when no order has that id. Ids that are not well formed are not looked up.</summary>
    public async Task<OrderRow?> FindAsync(string orderId, CancellationToken cancellationToken)
    {
        if (!OrderIds.IsWellFormed(orderId))
        {
            return null;
        }

        var response = await Table.GetEntityIfExistsAsync<OrderRow>(orderId, OrderRow.OrderRowKey, cancellationToken: cancellationToken);
        return response.HasValue ? response.Value : null;
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
