using System.Diagnostics.CodeAnalysis;
using Shop.Functions.Orders;

namespace Shop.Functions.Catalog.Sales;

/// <summary>
/// An order's units of one SKU, as counted: <see cref="Sku"/> is the SKU's partition (its uppercase form), so lines whose
/// SKUs differ only in case are one line.
/// </summary>
public sealed record SaleLine(string Sku, int Quantity)
{
    /// <summary>Merges an order's lines, or says why they cannot be counted (none, a SKU the shop does not accept, a quantity below 1).</summary>
    public static bool TryMerge(
        IReadOnlyList<OrderLine?>? lines,
        [NotNullWhen(true)] out IReadOnlyList<SaleLine>? merged,
        [NotNullWhen(false)] out string? problem)
    {
        merged = null;
        if (lines is not { Count: > 0 })
        {
            problem = "The event lists no items.";
            return false;
        }

        var quantities = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (CatalogKeys.PartitionFor(line?.Sku) is not { } sku)
            {
                problem = $"items[{i}] has no valid SKU.";
                return false;
            }

            if (line!.Quantity < 1)
            {
                problem = $"items[{i}] ({sku}) has quantity {line.Quantity}; at least 1 is needed.";
                return false;
            }

            quantities[sku] = quantities.GetValueOrDefault(sku) + line.Quantity;
            if (quantities[sku] > int.MaxValue)
            {
                problem = $"The quantities of {sku} add up to more than {int.MaxValue}.";
                return false;
            }
        }

        merged = [.. quantities.Select(pair => new SaleLine(pair.Key, (int)pair.Value))];
        problem = null;
        return true;
    }
}
