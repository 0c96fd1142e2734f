using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Shop.Functions.Platform;
using Shop.Functions.Platform.Http;

namespace Shop.Functions.Catalog.ListItems;

/// <summary><c>GET /api/catalog/items?top=N&amp;sort=popular|name</c>: the first N items, from the cached catalog.</summary>
public sealed class ListCatalogItemsFunction(CatalogCache catalog)
{
    [Function(nameof(ListCatalogItems))]
    public async Task<IActionResult> ListCatalogItems(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = CatalogRoutes.Items)] HttpRequest request,
        CancellationToken cancellationToken)
    {
        if (CatalogItemsQuery.Parse(request.Query, out var errors) is not { } query)
        {
            return Problems.Validation(request.HttpContext, errors);
        }

        CatalogRead read;
        try
        {
            read = await catalog.ReadAsync(cancellationToken);
        }
        catch (CatalogUnavailableException)
        {
            return CatalogHttp.Unavailable(request);
        }

        var body = new CatalogItemsResponse(query.SortName, query.Top, read.Snapshot.Top(query.Sort, query.Top));
        return CatalogHttp.Respond(request, read, body, ShopJsonContext.Default.CatalogItemsResponse);
    }
}
