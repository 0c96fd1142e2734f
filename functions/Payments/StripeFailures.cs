using System.Net;
using Stripe;

namespace Shop.Functions.Payments;

/// <summary>
/// Sorts what Stripe.net throws: a card the issuer refused is a decline (a result), throttling, Stripe's own errors,
/// a concurrent request on the same idempotency key, timeouts, connection failures and answers that broke off are transient
/// (<see cref="PaymentGatewayUnavailableException"/>, the activity retries), anything else (a bad key, a bad request)
/// is a fault retrying cannot fix (<see cref="InvalidOperationException"/>).
/// </summary>
internal static class StripeFailures
{
    /// <summary>Stripe's error type for a card the issuer or Stripe's fraud checks refused.</summary>
    public const string CardError = "card_error";

    /// <summary>A payment method id Stripe does not know (a token that is not a <c>pm_...</c> of this account).</summary>
    public const string InvalidPaymentMethod = "invalid_payment_method";

    public static bool IsTransient(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        StripeException stripe => stripe.HttpStatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.Conflict
            || (int)stripe.HttpStatusCode >= 500
            || IsGarbled(stripe)
            || (stripe.HttpStatusCode == 0 && stripe.InnerException is not null && IsTransient(stripe.InnerException, cancellationToken)),
        HttpRequestException or IOException => true,
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };

    /// <summary>
    /// A success status whose body is not Stripe's JSON (Stripe.net: "Invalid response object from API"): the answer broke
    /// off or was mangled on the way, so what Stripe did is unknown. Retrying with the same idempotency key is safe.
    /// </summary>
    private static bool IsGarbled(StripeException exception) =>
        exception.StripeError is null && (int)exception.HttpStatusCode is >= 200 and < 300;

    /// <summary>The decline in a Stripe error, or null when it is no decline.</summary>
    public static ChargeResult.Declined? AsDecline(StripeException exception)
    {
        var error = exception.StripeError;
        if (error?.Type == CardError)
        {
            return new ChargeResult.Declined(error.DeclineCode ?? error.Code ?? DeclineCodes.CardDeclined, error.Message ?? "The card was declined.");
        }

        return error is { Type: "invalid_request_error", Param: "payment_method" }
            ? new ChargeResult.Declined(InvalidPaymentMethod, "The payment method is not usable.")
            : null;
    }

    public static Exception Translate(Exception exception, string doing, string orderId, CancellationToken cancellationToken) =>
        IsTransient(exception, cancellationToken)
            ? new PaymentGatewayUnavailableException($"Stripe could not be reached or failed transiently while {doing} order {orderId}.", exception)
            : new InvalidOperationException(
                $"Stripe refused {doing} order {orderId}: {(exception as StripeException)?.StripeError?.Code ?? exception.GetType().Name}.", exception);
}
