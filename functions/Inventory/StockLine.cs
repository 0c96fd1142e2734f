using Shop.Functions.Orders;

namespace Shop.Functions.Inventory;

/// <summary>
/// An order's demand on one SKU. Lines whose SKUs differ only in case are one SKU, so they are merged.
/// <see cref="Partition"/> is null for a SKU no stock can exist for.
/// </summary>
internal sealed record StockLine(string Sku, string? Partition, int Quantity)
{
    public static List<StockLine> From(IReadOnlyList<OrderLine> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var merged = new List<StockLine>(lines.Count);
        foreach (var line in lines)
        {
            if (string.IsNullOrEmpty(line?.Sku))
            {
                throw new ArgumentException("Every line needs a SKU.", nameof(lines));
            }

            var partition = InventoryKeys.PartitionFor(line.Sku);
            var index = merged.FindIndex(other => other.Key == (partition ?? line.Sku));
            if (index < 0)
            {
                merged.Add(new StockLine(line.Sku, partition, line.Quantity));
            }
            else
            {
                merged[index] = merged[index] with { Quantity = checked(merged[index].Quantity + line.Quantity) };
            }
        }

        return merged;
    }

    private string Key => Partition ?? Sku;
}
