using Azure.Data.Tables;
using Shop.Functions.Platform;

namespace Shop.Functions.Orders;

/// <summary>Point reads of order rows.</summary>
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
}
