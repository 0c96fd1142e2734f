using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Shop.Functions.Platform;
using Shop.Functions.Platform.Http;

namespace Shop.Functions.Inventory.Admin;

/// <summary>
/// <c>POST /api/ops/stock/{sku}/receipts</c> (admin key): books a goods receipt <c>{receiptId, quantity, note?}</c>, adding
/// its units to the SKU's stock in one ETag-guarded transaction with the receipt row. 201 the first time; the same receipt
/// again answers 200 with what was booked and adds nothing; the same receipt id with another quantity is refused (422).
/// </summary>
public sealed partial class ReceiveStockFunction(InventoryStore store, PublicUrls urls, ILogger<ReceiveStockFunction> logger)
{
    public const int MaxBodyBytes = 4 * 1024;

    [Function(nameof(ReceiveStock))]
    public async Task<IActionResult> ReceiveStock(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = StockRoutes.Receipts)] HttpRequest request,
        string sku,
        CancellationToken cancellationToken)
    {
        var http = request.HttpContext;
        if (InventoryKeys.PartitionFor(sku) is null)
        {
            return Problems.NotFound(http, "No stock is kept for this SKU.");
        }

        var body = await JsonRequestReader.ReadAsync(request, ShopJsonContext.Default.StockReceiptRequest, MaxBodyBytes, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var receipt = body.Value!;
        var errors = StockReceiptValidator.Validate(receipt);
        if (errors.Count > 0)
        {
            return Problems.Validation(http, errors);
        }

        (bool Added, StockReceiptRow Receipt)? booked;
        try
        {
            booked = await store.ReceiveAsync(sku, receipt.ReceiptId!, receipt.Quantity!.Value, receipt.Note, cancellationToken);
        }
        catch (Exception ex) when (ex.IsStorageFailure() || ex is InventoryConflictException)
        {
            LogStorageUnavailable(ex, sku);
            return Problems.ServiceUnavailable(http, "The receipt could not be booked; nothing was added. Retry it as it is.");
        }

        if (booked is not { } result)
        {
            return Problems.NotFound(http, "No stock is kept for this SKU, and it is not in the catalog.");
        }

        if (!result.Added && (result.Receipt.Quantity != receipt.Quantity || result.Receipt.Note != receipt.Note))
        {
            return Problems.Create(
                http,
                StatusCodes.Status422UnprocessableEntity,
                ProblemTypes.ReceiptIdReused,
                "This receipt id was booked with other contents.",
                $"Receipt {result.Receipt.ReceiptId} added {result.Receipt.Quantity} units at {result.Receipt.ReceivedAt:O}; nothing was changed.");
        }

        var stored = result.Receipt;
        var stockUrl = urls.Absolute(request, StockRoutes.StockPath(stored.PartitionKey));
        var answer = new StockReceiptResponse(stored.PartitionKey, stored.ReceiptId, stored.Quantity, stored.ReceivedAt, stored.AvailableAfter, stored.Note, stockUrl);
        return new JsonResponse<StockReceiptResponse>(result.Added ? StatusCodes.Status201Created : StatusCodes.Status200OK, answer, ShopJsonContext.Default.StockReceiptResponse)
            .WithHeader("Location", stockUrl)
            .WithHeader("Cache-Control", "no-store");
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Booking a goods receipt of {Sku} failed; nothing was added")]
    private partial void LogStorageUnavailable(Exception exception, string sku);
}
