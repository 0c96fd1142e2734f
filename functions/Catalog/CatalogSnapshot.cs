using System.Collections.Frozen;

namespace Shop.Functions.Catalog;

/// <summary>How <c>GET /api/catalog/items</c> orders the items.</summary>
public enum CatalogSort
{
    /// <summary>Most units sold first, then by SKU.</summary>
    Popular,

    /// <summary>By name (ignoring case), then by SKU.</summary>
    Name,
}

/// <summary>
/// The whole catalog with units sold, as read from storage at <see cref="LoadedAt"/>. Every answer of the catalog API
/// is computed from one snapshot, so one cache entry serves every query and the cache cannot grow with what clients ask.
/// </summary>
public sealed class CatalogSnapshot
{
    private readonly IReadOnlyList<CatalogItem> _byPopularity;
    private readonly IReadOnlyList<CatalogItem> _byName;
    private readonly FrozenDictionary<string, CatalogItem> _bySku;

    public CatalogSnapshot(IEnumerable<CatalogItem> items, DateTimeOffset loadedAt)
    {
        var all = items.ToList();
        _byPopularity = [.. all.OrderByDescending(i => i.UnitsSold).ThenBy(i => i.Sku, StringComparer.Ordinal)];
        _byName = [.. all.OrderBy(i => i.Name, StringComparer.OrdinalIgnoreCase).ThenBy(i => i.Sku, StringComparer.Ordinal)];
        _bySku = all.ToFrozenDictionary(i => i.Sku, StringComparer.OrdinalIgnoreCase);
        LoadedAt = loadedAt;
    }

    public DateTimeOffset LoadedAt { get; }

    public int Count => _bySku.Count;

    public IReadOnlyList<CatalogItem> Top(CatalogSort sort, int top) =>
        [.. (sort == CatalogSort.Name ? _byName : _byPopularity).Take(top)];

    /// <summary>The item with this SKU (ignoring case), or null.</summary>
    public CatalogItem? Find(string sku) => _bySku.GetValueOrDefault(sku);
}
