namespace Shop.Functions.Catalog;

/// <summary>A catalog item as clients see it; <see cref="UnitsSold"/> counts completed orders only.</summary>
public sealed record CatalogItem(string Sku, string Name, string Description, decimal Price, string Currency, long UnitsSold);

/// <summary>The body of <c>GET /api/catalog/items</c>.</summary>
public sealed record CatalogItemsResponse(string Sort, int Top, IReadOnlyList<CatalogItem> Items);
