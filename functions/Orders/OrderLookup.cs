using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Shop.Functions.Platform;
using Shop.Functions.Platform.Http;

namespace Shop.Functions.Orders;

/// <summary>The order an HTTP read asks for, or the problem to answer instead (404 unknown, 503 storage down).</summary>
public sealed partial class OrderLookup(OrderStore store, ILogger<OrderLookup> logger)
{
    public async Task<(OrderRow? Order, IActionResult? Problem)> FindAsync(HttpRequest request, string orderId, CancellationToken cancellationToken)
    {
        try
        {
            var order = await store.FindAsync(orderId, cancellationToken);
            return order is null
                ? (null, Problems.NotFound(request.HttpContext, "No order has this id."))
                : (order, null);
        }
        catch (Exception ex) when (ex.IsStorageFailure())
        {
            LogStorageUnavailable(ex);
            return (null, Problems.ServiceUnavailable(request.HttpContext, "The order cannot be read right now."));
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Reading the order failed")]
    private partial void LogStorageUnavailable(Exception exception);
}
