using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Shop.Functions.Platform;
using Shop.Functions.Platform.Http;

namespace Shop.Functions.Inventory.Admin;

/// <summary><c>GET /api/ops/stock/{sku}</c> (admin key): the SKU's stock row, a point read; 404 when it has none.</summary>
public sealed partial class GetStockFunction(InventoryStore store, ILogger<GetStockFunction> logger)
{
    [Function(nameof(GetStock))]
    public async Task<IActionResult> GetStock(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = StockRoutes.Stock)] HttpRequest request,
        string sku,
        CancellationToken cancellationToken)
    {
        var http = request.HttpContext;
        StockRow? stock;
        try
        {
            stock = await store.GetStockAsync(sku, cancellationToken);
        }
        catch (Exception ex) when (ex.IsStorageFailure())
        {
            LogStorageUnavailable(ex, sku);
            return Problems.ServiceUnavailable(http, "The stock cannot be read right now.");
        }

        if (stock is null)
        {
            return Problems.NotFound(http, "No stock is kept for this SKU.");
        }

        return new JsonResponse<StockResponse>(StatusCodes.Status200OK, StockAdmin.ToResponse(stock), ShopJsonContext.Default.StockResponse)
            .WithHeader("Cache-Control", "no-store");
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Reading the stock of {Sku} failed")]
    private partial void LogStorageUnavailable(Exception exception, string sku);
}

internal static class StockAdmin
{
    public static StockResponse ToResponse(StockRow stock) => new(stock.PartitionKey, stock.Available, stock.UpdatedAt, stock.WaitingQuantity);
}
