namespace Shop.Functions.Payments;

/// <summary>
/// What the provider holds for an order, by order id (its idempotency key): the captured charge, if any, and how much of
/// it was refunded. No charge (none, a declined one, or an order closed before any charge): <see cref="ChargeId"/> and
/// <see cref="Currency"/> null, amounts 0. The saga asks for it when a charge's answer was lost, instead of guessing.
/// </summary>
public sealed record PaymentStatus(string? ChargeId, decimal CapturedAmount, decimal RefundedAmount, string? Currency)
{
    /// <summary>The order has no captured charge.</summary>
    public static PaymentStatus None { get; } = new(null, 0m, 0m, null);
}
