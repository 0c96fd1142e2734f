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
    /// <summary>
    /// Captures <see cref="ChargeRequest.Amount"/>, or answers the order's first charge (captured or declined). An order
    /// closed by a refund answers <see cref="ChargeResult.Declined"/> with <see cref="DeclineCodes.OrderClosed"/> and
    /// captures nothing, however late the request arrives.
    /// </summary>
    /// <exception cref="PaymentGatewayUnavailableException">The provider could not be reached; try again later.</exception>
    Task<ChargeResult> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Refunds the order's charge (all of it given <see cref="RefundRequest.Everything"/>), or answers the order's first
    /// refund. An order that was never charged (no charge, or a declined one) answers
    /// <see cref="RefundResult.NothingCharged"/>, so compensating a failed charge is safe. Either way the order is closed
    /// at the provider: a charge for it that arrives later (a request whose answer was lost) is declined
    /// <see cref="DeclineCodes.OrderClosed"/>. A charge and a refund racing for one order end captured-then-refunded or
    /// closed-never-captured, never captured and not refunded.
    /// </summary>
    /// <exception cref="PaymentGatewayUnavailableException">The provider could not be reached; try again later.</exception>
    Task<RefundResult> RefundAsync(RefundRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// What the provider holds for the order: its captured charge and refunded amount (<see cref="PaymentStatus.None"/>
    /// amounts when nothing was captured). Reads only; asking moves no money. A charge that is still in flight may land
    /// after the answer: to settle an order for good, refund it (<see cref="RefundRequest.Everything"/>), which closes it.
    /// </summary>
    /// <exception cref="PaymentGatewayUnavailableException">The provider could not be reached; try again later.</exception>
    Task<PaymentStatus> GetPaymentAsync(string orderId, CancellationToken cancellationToken);
}
