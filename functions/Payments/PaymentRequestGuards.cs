using System.Buffers;

namespace Shop.Functions.Payments;

/// <summary>
/// Checks every gateway makes before it calls out. A bad request is a bug in the caller, so it throws
/// <see cref="ArgumentException"/> (not retried), never <see cref="PaymentGatewayUnavailableException"/>.
/// </summary>
internal static class PaymentRequestGuards
{
    private const int MaxOrderIdLength = 256;

    // Characters a Table key cannot hold (the order id is the PartitionKey of the sandbox, and a provider's idempotency key).
    private static readonly SearchValues<char> ForbiddenInOrderId = SearchValues.Create(
        "/\\#?" + string.Concat(Enumerable.Range(0, 0x20).Concat(Enumerable.Range(0x7F, 0x21)).Select(c => (char)c)));

    public static void Validate(ChargeRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ValidateOrderId(request.OrderId);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.PaymentToken);
        ValidateMoney(request.Amount, request.Currency);
    }

    public static void Validate(RefundRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ValidateOrderId(request.OrderId);
        ArgumentNullException.ThrowIfNull(request.ChargeId);
        ArgumentNullException.ThrowIfNull(request.Currency);
        if (request.IsEverything)
        {
            // "Everything captured": the currency is the charge's; a given one must be a code (and is checked against it).
            if (request.Currency.Length > 0)
            {
                ValidateCurrency(request.Currency);
            }

            return;
        }

        ValidateMoney(request.Amount, request.Currency);
    }

    public static void ValidateOrderId(string orderId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(orderId);
        if (orderId.Length > MaxOrderIdLength || orderId.AsSpan().IndexOfAny(ForbiddenInOrderId) >= 0)
        {
            throw new ArgumentException($"An order id has at most {MaxOrderIdLength} characters and no '/', '\\', '#', '?' or control characters.", nameof(orderId));
        }
    }

    private static void ValidateMoney(decimal amount, string currency)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(amount);
        ValidateCurrency(currency);
    }

    private static void ValidateCurrency(string currency)
    {
        if (currency is not { Length: 3 } || !currency.All(char.IsAsciiLetterUpper))
        {
            throw new ArgumentException("A currency is an ISO 4217 code: three upper-case letters, such as EUR.", nameof(currency));
        }
    }
}
