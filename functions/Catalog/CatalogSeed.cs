using System.Collections.Frozen;
using System.Text.Json;
using System.Text.RegularExpressions;
using Shop.Functions.Platform;

namespace Shop.Functions.Catalog;

/// <summary>
/// One item of the catalog that ships with the app. <see cref="Price"/> has at most two decimals. When a reservation
/// leaves fewer than <see cref="ReorderPoint"/> units, <see cref="ReorderQuantity"/> more are ordered from the supplier
/// (docs/inventory.md); both are optional, with <see cref="DefaultReorderPoint"/> and <see cref="DefaultReorderQuantity"/>,
/// and a reorder point of 0 never reorders.
/// </summary>
public sealed record CatalogSeedItem(
    string Sku, string Name, string Description, decimal Price, string Currency, int InitialStock, int? ReorderPoint = null, int? ReorderQuantity = null)
{
    public const int DefaultReorderPoint = 10;
    public const int DefaultReorderQuantity = 50;

    public int EffectiveReorderPoint => ReorderPoint ?? DefaultReorderPoint;

    public int EffectiveReorderQuantity => ReorderQuantity ?? DefaultReorderQuantity;
}

/// <summary>
/// The catalog seed data (<c>Catalog/catalog-seed.json</c>, embedded in the assembly), read and checked once on
/// first use. Invalid seed data is a build defect: the first access throws <see cref="InvalidOperationException"/>.
/// </summary>
public static partial class CatalogSeed
{
    internal const string ResourceName = "Shop.Functions.Catalog.catalog-seed.json";

    private static readonly Lazy<Loaded> Data = new(Load);

    public static IReadOnlyList<CatalogSeedItem> Items => Data.Value.Items;

    /// <summary>The item with this SKU (ignoring case), or null.</summary>
    public static CatalogSeedItem? Find(string sku) => Data.Value.BySku.GetValueOrDefault(sku);

    private static Loaded Load()
    {
        using var stream = typeof(CatalogSeed).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource '{ResourceName}' is missing from the functions assembly.");
        var items = JsonSerializer.Deserialize(stream, ShopJsonContext.Default.ListCatalogSeedItem)
            ?? throw new InvalidOperationException("The catalog seed is null.");

        var problems = Problems(items);
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("The catalog seed is invalid: " + string.Join("; ", problems));
        }

        return new Loaded(items.AsReadOnly(), items.ToFrozenDictionary(item => item.Sku, StringComparer.OrdinalIgnoreCase));
    }

    private static List<string> Problems(List<CatalogSeedItem> items)
    {
        var problems = new List<string>();
        if (items.Count == 0)
        {
            problems.Add("no items");
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var at = $"[{i}] {item.Sku}";
            if (item.Sku is null || !SkuPattern().IsMatch(item.Sku))
            {
                problems.Add($"{at}: the SKU must be 1-64 uppercase letters, digits and '-'");
            }
            else if (!seen.Add(item.Sku))
            {
                problems.Add($"{at}: duplicate SKU");
            }

            if (string.IsNullOrWhiteSpace(item.Name) || item.Description is null)
            {
                problems.Add($"{at}: name and description are required");
            }

            if (item.Price < 0 || decimal.Round(item.Price, 2) != item.Price)
            {
                problems.Add($"{at}: the price must be at least 0 with at most two decimals");
            }

            if (item.Currency is null || !CurrencyPattern().IsMatch(item.Currency))
            {
                problems.Add($"{at}: the currency must be an ISO 4217 code");
            }

            if (item.InitialStock < 0)
            {
                problems.Add($"{at}: the initial stock must be at least 0");
            }

            if (item.ReorderPoint < 0 || item.ReorderQuantity < 1)
            {
                problems.Add($"{at}: the reorder point must be at least 0 and the reorder quantity at least 1");
            }
        }

        return problems;
    }

    [GeneratedRegex("^[A-Z0-9][A-Z0-9-]{0,63}$")]
    private static partial Regex SkuPattern();

    [GeneratedRegex("^[A-Z]{3}$")]
    private static partial Regex CurrencyPattern();

    private sealed record Loaded(IReadOnlyList<CatalogSeedItem> Items, FrozenDictionary<string, CatalogSeedItem> BySku);
}
