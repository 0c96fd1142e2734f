using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Shop.Functions.Platform;

namespace Shop.Functions.Catalog.GetItem;

/// <summary><c>GET /api/catalog/items/{sku}</c>: one item (SKUs ignore case), from the cached catalog; 404 when unknown.</summary>
public sealed class GetCatalogItemFunction(CatalogCache catalog)
{
    [Function(nameof(GetCatalogItem))]
    public async Task<IActionResult> GetCatalogItem(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = CatalogRoutes.Item)] HttpRequest request,
        string sku,
        CancellationToken cancellationToken)
    {
        CatalogRead read;
        try
        {
            read = await catalog.ReadAsync(cancellationToken);
        }
        catch (CatalogUnavailableException)
        {
            return CatalogHttp.Unavailable(request);
        }

        return read.Snapshot.Find(sku) is { } item
            ? CatalogHttp.Respond(request, read, item, ShopJsonContext.Default.CatalogItem)
            : CatalogHttp.NotFound(request, read, "The catalog has no item with this SKU.");
    }
}
