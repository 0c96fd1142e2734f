namespace Shop.Functions.Catalog;

/// <summary>
/// Keys of the Catalog table. Sales: PartitionKey = SKU (its uppercase form; SKUs are case-insensitive); in each partition
/// the sales counter (<see cref="SalesRowKey"/>) and one row per counted order (<see cref="SaleRowKey"/>). Items: all in
/// one partition (<see cref="ItemsPartition"/>, RowKey = SKU), so the whole catalog is one partition query that never
/// reads a sale row. The partition is lowercase and SKU partitions are uppercase: they cannot collide.
/// </summary>
public static partial class CatalogKeys
{
    public const string ItemsPartition = "items";
    public const string SalesRowKey = "sales";
    public const string SaleRowKeyPrefix = "sale|";

    // '}' sorts right after '|': [prefix, end) is exactly the sale rows of a partition.
    public const string SaleRowKeyEnd = "sale}";

    private const int MaxOrderIdLength = 200;

    public static string SaleRowKey(string orderId) => SaleRowKeyPrefix + orderId;

    /// <summary>The partition of a SKU, or null when it is not a SKU the shop accepts.</summary>
    public static string? PartitionFor(string? sku) => Sku.PartitionFor(sku);

    /// <summary>An order id usable in a RowKey: no '/', '\', '#', '?' nor control characters, at most 200 characters.</summary>
    public static bool IsUsableOrderId(string? orderId) =>
        !string.IsNullOrWhiteSpace(orderId)
        && orderId.Length <= MaxOrderIdLength
        && orderId.AsSpan().IndexOfAny("/\\#?") < 0
        && !orderId.Any(char.IsControl);

}
