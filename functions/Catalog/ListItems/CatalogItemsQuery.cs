using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Shop.Functions.Catalog.ListItems;

/// <summary>The query of <c>GET /api/catalog/items?top=N&amp;sort=popular|name</c>, checked.</summary>
public sealed record CatalogItemsQuery(int Top, CatalogSort Sort)
{
    public const int DefaultTop = 10;
    public const int MaxTop = 50;

    /// <summary>The query, or the errors by parameter name (each parameter at most once).</summary>
    public static CatalogItemsQuery? Parse(IQueryCollection query, out IReadOnlyDictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(query);
        var problems = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var top = DefaultTop;
        var sort = CatalogSort.Popular;

        if (query.TryGetValue("top", out var topValues))
        {
            if (topValues.Count != 1
                || !int.TryParse(topValues[0], NumberStyles.None, CultureInfo.InvariantCulture, out top)
                || top is < 1 or > MaxTop)
            {
                problems["top"] = [$"top is one whole number from 1 to {MaxTop}."];
            }
        }

        if (query.TryGetValue("sort", out var sortValues))
        {
            switch (sortValues.Count == 1 ? sortValues[0] : null)
            {
                case "popular":
                    sort = CatalogSort.Popular;
                    break;
                case "name":
                    sort = CatalogSort.Name;
                    break;
                default:
                    problems["sort"] = ["sort is 'popular' (most units sold first) or 'name'."];
                    break;
            }
        }

        errors = problems;
        return problems.Count == 0 ? new CatalogItemsQuery(top, sort) : null;
    }

    public string SortName => Sort == CatalogSort.Name ? "name" : "popular";
}
