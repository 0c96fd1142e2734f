using Azure;
using Azure.Data.Tables;

namespace Shop.Functions.Catalog.Sales;

/// <summary>
/// One completed order's units of one SKU, counted in <see cref="SalesCounterRow"/>: PartitionKey = SKU, RowKey =
/// <see cref="CatalogKeys.SaleRowKey"/>. Its existence is what makes counting an order a second time a no-op.
/// </summary>
public sealed class OrderSaleRow : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string OrderId { get; set; } = string.Empty;

    public int Quantity { get; set; }

    public DateTimeOffset CountedAt { get; set; }

    internal static OrderSaleRow For(string partition, string orderId, int quantity, DateTimeOffset now) => new()
    {
        PartitionKey = partition,
        RowKey = CatalogKeys.SaleRowKey(orderId),
        OrderId = orderId,
        Quantity = quantity,
        CountedAt = now,
    };
}
