using Shop.Functions.Orders;
using Xunit;

namespace Shop.Functions.Tests.Infrastructure;

/// <summary>The order row as the tests read it: once, or until it reaches a status (the saga's progress as clients see it).</summary>
public static class OrderRows
{
    public static async Task<OrderRow> ReadAsync(ShopTestServices shop, string orderId)
    {
        ArgumentNullException.ThrowIfNull(shop);
        return (await shop.OrdersTable.GetEntityAsync<OrderRow>(orderId, OrderRow.OrderRowKey)).Value;
    }

    /// <summary>Polls the row until its status is <paramref name="status"/>; fails with the status it has after <paramref name="seconds"/>.</summary>
    public static async Task<OrderRow> WaitForStatusAsync(ShopTestServices shop, string orderId, string status, int seconds = 30)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var order = await ReadAsync(shop, orderId);
            if (order.Status == status || DateTimeOffset.UtcNow > deadline)
            {
                Assert.Equal(status, order.Status);
                return order;
            }

            await Task.Delay(100);
        }
    }
}
