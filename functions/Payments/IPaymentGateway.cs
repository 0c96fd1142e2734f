namespace Shop.Functions.Payments;

/// <summary>
/// Takes an order's payment and gives it back. The order id is the idempotency key: charging or refunding an
/// order again answers the first result and moves no more money, so a retried activity is always safe.
/// Implementations do not retry: a transient failure throws <see cref="PaymentGatewayUnavailableException"/> and
/// the caller's retry policy (the Durable activity's) decides when to try again. A decline is a result, not an
/// exception: retrying it cannot help. Implementations never log the payment token.
/// </summary>
public interface IPaymentGateway
{
    /// <summary>Captures <see cref="ChargeRequest.Amount"/>, or answers the order's first charge (captured or declined).</summary>
    /// <exception cref="PaymentGatewayUnavailableException">The provider could not be reached; try again later.</exception>
    Task<ChargeResult> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Refunds the order's charge, or answers the order's first refund. An order that was never charged (no charge,
    /// or a declined one) answers <see cref="RefundResult.NothingCharged"/>, so compensating a failed charge is safe.
    /// </summary>
    /// <exception cref="PaymentGatewayUnavailableException">The provider could not be reached; try again later.</exception>
    Task<RefundResult> RefundAsync(RefundRequest request, CancellationToken cancellationToken);

    /// <summary>What the provider holds for the order: its capture and refunds, found by the order id.</summary>
    /// <exception cref="PaymentGatewayUnavailableException">The provider could not be reached; try again later.</exception>
    Task<PaymentStatus> GetPaymentAsync(string orderId, CancellationToken cancellationToken);
}

/// <summary>An order's money at the provider: no charge is a null <paramref name="ChargeId"/> and zero amounts.</summary>
public sealed record PaymentStatus(string? ChargeId, decimal CapturedAmount, decimal RefundedAmount, string? Currency);
