namespace Shop.Functions.Orders;

/// <summary>Routes of the orders API (under the host's <c>api</c> prefix) and the paths clients follow.</summary>
public static class OrderRoutes
{
    public const string Submit = "orders";
    public const string Order = "orders/{orderId}";
    public const string Status = "orders/{orderId}/status";
    public const string Cancel = "orders/{orderId}/cancel";

    public static string OrderPath(string orderId) => $"/api/orders/{orderId}";

    public static string StatusPath(string orderId) => $"/api/orders/{orderId}/status";
}
