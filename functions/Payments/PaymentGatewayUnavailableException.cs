namespace Shop.Functions.Payments;

/// <summary>
/// The payment provider could not be reached or answered with a transient error. Nothing is known to have
/// happened; calling again with the same order id is safe (charges and refunds are idempotent per order), and
/// is the caller's job: the gateway does not retry. Never carries the payment token.
/// </summary>
public sealed class PaymentGatewayUnavailableException : Exception
{
    public PaymentGatewayUnavailableException()
        : base("The payment gateway is unavailable.")
    {
    }

    public PaymentGatewayUnavailableException(string message)
        : base(message)
    {
    }

    public PaymentGatewayUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
