using Azure.Data.Tables;
using Shop.Functions.Platform;

namespace Shop.Functions.Orders.History;

/// <summary>
/// The index behind an account's order history. Written by the saga's first step (AcceptOrder) from the order row, so
/// it points only at orders that exist, and an upsert of a key that derives from the row makes a repeated step harmless;
/// the submit keeps its one storage round trip.
/// </summary>
public sealed class CustomerOrderIndex(TableServiceClient tables)
{
    private readonly TableClient _table = tables.GetTableClient(StorageTables.CustomerOrders);

    /// <summary>Indexes <paramref name="order"/> under its account; nothing when it has none.</summary>
    public async Task AddAsync(OrderRow order, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (string.IsNullOrEmpty(order.Account))
        {
            return;
        }

        var entry = new CustomerOrderRow
        {
            PartitionKey = CustomerOrderRow.PartitionFor(order.Account),
            RowKey = CustomerOrderRow.RowKeyFor(order.CreatedAt, order.OrderId),
            OrderId = order.OrderId,
            CreatedAt = order.CreatedAt,
        };
        await _table.UpsertEntityAsync(entry, TableUpdateMode.Replace, cancellationToken);
    }

    /// <summary>One page of <paramref name="account"/>'s orders, newest first, after the row key <paramref name="after"/>.</summary>
    public async Task<IReadOnlyList<CustomerOrderRow>> PageAsync(string account, int max, string? after, CancellationToken cancellationToken)
    {
        var partition = CustomerOrderRow.PartitionFor(account);
        var filter = after is null
            ? TableClient.CreateQueryFilter($"PartitionKey eq {partition}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey gt {after}");
        var page = new List<CustomerOrderRow>(max);
        await foreach (var entry in _table.QueryAsync<CustomerOrderRow>(filter, maxPerPage: max, cancellationToken: cancellationToken))
        {
            page.Add(entry);
            if (page.Count == max)
            {
                break;
            }
        }

        return page;
    }
}
