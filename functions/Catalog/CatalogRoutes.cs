namespace Shop.Functions.Catalog;

/// <summary>Routes of the catalog API (under the host's <c>api</c> prefix).</summary>
public static class CatalogRoutes
{
    public const string Items = "catalog/items";
    public const string Item = "catalog/items/{sku}";
}
