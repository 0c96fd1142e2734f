namespace Shop.Functions.Orders;

/// <summary>One line of an accepted order.</summary>
public sealed record OrderLine(string Sku, int Quantity);

/// <summary>Where the order ships. <see cref="Country"/> is an ISO 3166-1 alpha-2 code.</summary>
public sealed record ShippingAddress(
    string? Line1,
    string? Line2,
    string? City,
    string? Region,
    string? PostalCode,
    string? Country);

/// <summary>A step the order went through, with when it happened.</summary>
public sealed record OrderStep(string Name, DateTimeOffset At, string? Detail = null);

/// <summary>Order statuses. Terminal ones never change again.</summary>
public static class OrderStatuses
{
    public const string Accepted = "Accepted";
    public const string Completed = "Completed";
    public const string Failed = "Failed";
    public const string Cancelled = "Cancelled";

    public static bool IsTerminal(string status) => status is Completed or Failed or Cancelled;
}
