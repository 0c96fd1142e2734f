using Azure;
using Azure.Data.Tables;

namespace Shop.Functions.Catalog.Sales;

/// <summary>
/// Units sold of a SKU: PartitionKey = SKU, RowKey = <see cref="CatalogKeys.SalesRowKey"/>. Changed only together with
/// a new <see cref="OrderSaleRow"/>, in one transaction conditional on this row's ETag.
/// </summary>
public sealed class SalesCounterRow : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = CatalogKeys.SalesRowKey;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public long UnitsSold { get; set; }

    /// <summary>Completed orders that contained the SKU.</summary>
    public long Orders { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
