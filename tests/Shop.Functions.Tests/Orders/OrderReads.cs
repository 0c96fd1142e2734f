using Azure;
using Azure.Data.Tables;
using Microsoft.AspNetCore.Http;
using Shop.Functions.Orders;
using Shop.Functions.Orders.GetOrder;
using Shop.Functions.Orders.GetOrderStatus;
using Shop.Functions.Orders.SubmitOrder;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Orders;

internal static class OrderReads
{
    public static async Task<string> SubmitAsync(ShopTestServices shop)
    {
        var request = HttpTest.Request("POST", "/api/orders", OrderRequests.ValidJson());
        var response = await HttpTest.RunAsync(request, await shop.Function<SubmitOrderFunction>().SubmitOrder(request, CancellationToken.None));
        Assert.Equal(StatusCodes.Status202Accepted, response.Status);

        // What runs behind the 202 (the order row, the PlaceOrder send) is done before the test looks.
        await shop.Get<Functions.Messaging.OutboxRelay>().DrainAsync();
        return response.Json().GetProperty("orderId").GetString()!;
    }

    /// <summary>POST /api/orders with <paramref name="body"/> and, if given, an Idempotency-Key; the response as the client gets it.</summary>
    public static async Task<TestResponse> PostAsync(ShopTestServices shop, string body, string? idempotencyKey = null)
    {
        var headers = new Dictionary<string, string>();
        if (idempotencyKey is not null)
        {
            headers[SubmitOrderFunction.IdempotencyKeyHeader] = idempotencyKey;
        }

        var request = HttpTest.Request("POST", "/api/orders", body, headers: headers);
        return await HttpTest.RunAsync(request, await shop.Function<SubmitOrderFunction>().SubmitOrder(request, CancellationToken.None));
    }

    /// <summary>What the saga will do later: move the order on.</summary>
    public static Task SetStatusAsync(ShopTestServices shop, string orderId, string status) =>
        shop.OrdersTable.UpdateEntityAsync(
            new TableEntity(orderId, OrderRow.OrderRowKey) { ["Status"] = status, ["Step"] = status },
            ETag.All,
            TableUpdateMode.Merge);
}
