using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stripe;

namespace Shop.Functions.Payments;

/// <summary>
/// Real payments through Stripe (<c>Payments__Provider=Stripe</c>): a charge is a PaymentIntent created and confirmed in one
/// call with the client's payment method (<c>pm_...</c>, the order's payment token), the order id in its metadata and an
/// idempotency key derived from the order id, so every retry or duplicate of ChargePayment gets Stripe's first answer and
/// charges once. 3-D Secure (<c>requires_action</c>) answers <see cref="ChargeResult.Pending"/>: the outcome comes by
/// Stripe's webhook (<see cref="StripeEventsHandler"/>). The order's PaymentIntent is found by the id noted in
/// <see cref="StripeLedger"/>, else by Stripe's search on the order-id metadata (a charge whose answer was lost). A refund
/// closes the order there first, so a charge landing after it gives the money straight back. No retries here: Stripe.net
/// is built with none, and transient failures throw <see cref="PaymentGatewayUnavailableException"/> for the activity's policy.
/// </summary>
public sealed partial class StripePaymentGateway : IPaymentGateway
{
    /// <summary>The metadata key every PaymentIntent carries the order id under; the search and the webhook read it.</summary>
    public const string OrderIdMetadata = "order_id";

    private readonly PaymentIntentService _intents;
    private readonly RefundService _refunds;
    private readonly StripeLedger _ledger;
    private readonly ILogger<StripePaymentGateway> _logger;

    public StripePaymentGateway(IHttpClientFactory http, IOptions<StripeOptions> options, TableServiceClient tables, ILogger<StripePaymentGateway> logger)
    {
        var settings = options.Value;
        var client = new StripeClient(
            apiKey: settings.SecretKey,
            httpClient: new SystemNetHttpClient(http.CreateClient(StripeOptions.HttpClientName), maxNetworkRetries: 0, appInfo: null, enableTelemetry: false),
            apiBase: settings.ApiBase.ToString().TrimEnd('/'));
        _intents = new PaymentIntentService(client);
        _refunds = new RefundService(client);
        _ledger = new StripeLedger(tables);
        _logger = logger;
    }

    public static string ChargeKey(string orderId) => $"shop-charge-{orderId}";

    public static string RefundKey(string orderId) => $"shop-refund-{orderId}";

    public static string CancelKey(string orderId) => $"shop-cancel-{orderId}";

    public async Task<ChargeResult> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken)
    {
        PaymentRequestGuards.Validate(request);
        var amount = StripeAmounts.ToMinorUnits(request.Amount, request.Currency);
        try
        {
            var (knownId, closed) = await _ledger.FindAsync(request.OrderId, cancellationToken);
            if (closed)
            {
                LogChargeAfterClose(request.OrderId);
                return OrderClosed();
            }

            var (intent, decline) = knownId is null
                ? await CreateAsync(request, amount, cancellationToken)
                : (await GetAsync(knownId, cancellationToken), null);
            if (intent is not null)
            {
                await _ledger.RememberAsync(request.OrderId, intent.Id, cancellationToken);
                if ((await _ledger.FindAsync(request.OrderId, cancellationToken)).Closed)
                {
                    // A refund closed the order while this charge was in flight, and may have looked before it landed.
                    await GiveBackAsync(request.OrderId, intent, cancellationToken);
                    return OrderClosed();
                }
            }

            var result = decline ?? ToResult(intent!);
            LogCharge(request.OrderId, intent?.Id, result);
            return result;
        }
        catch (Exception ex) when (ex is not PaymentGatewayUnavailableException and not InvalidOperationException
            && (StripeFailures.IsTransient(ex, cancellationToken) || StripeLedger.IsTransientFailure(ex, cancellationToken) || ex is StripeException))
        {
            LogCallFailed(ex, request.OrderId, "charge");
            throw StripeFailures.Translate(ex, "charging", request.OrderId, cancellationToken);
        }
    }

    public async Task<RefundResult> RefundAsync(RefundRequest request, CancellationToken cancellationToken)
    {
        PaymentRequestGuards.Validate(request);
        try
        {
            await _ledger.CloseAsync(request.OrderId, cancellationToken);
            var intent = await FindIntentAsync(request.OrderId, cancellationToken);
            if (intent is null || intent.Status == "canceled")
            {
                LogNothingCharged(request.OrderId);
                return new RefundResult.NothingCharged();
            }

            if (intent.Status != "succeeded")
            {
                // Not captured yet (3-D Secure unfinished, a failed attempt): cancelled, so it can never capture.
                await CancelAsync(request.OrderId, intent, cancellationToken);
                LogNothingCharged(request.OrderId);
                return new RefundResult.NothingCharged();
            }

            var currency = StripeAmounts.FromStripe(intent.Currency);
            var captured = StripeAmounts.FromMinorUnits(intent.AmountReceived, currency);
            if (Reject(request, intent.Id, captured, currency) is { } rejected)
            {
                LogRefundRejected(request.OrderId, intent.Id, rejected.RejectCode);
                return rejected;
            }

            var amount = request.IsEverything ? captured : request.Amount;
            var refund = await _refunds.CreateAsync(
                new RefundCreateOptions
                {
                    PaymentIntent = intent.Id,
                    Amount = StripeAmounts.ToMinorUnits(amount, currency),
                    Metadata = new Dictionary<string, string> { [OrderIdMetadata] = request.OrderId },
                },
                new RequestOptions { IdempotencyKey = RefundKey(request.OrderId) },
                cancellationToken);
            LogRefunded(request.OrderId, intent.Id, refund.Id, amount, currency);
            return new RefundResult.Refunded(
                refund.Id, intent.Id, StripeAmounts.FromMinorUnits(refund.Amount, currency), currency, Utc(refund.Created));
        }
        catch (Exception ex) when (ex is not PaymentGatewayUnavailableException
            && (StripeFailures.IsTransient(ex, cancellationToken) || StripeLedger.IsTransientFailure(ex, cancellationToken) || ex is StripeException))
        {
            LogCallFailed(ex, request.OrderId, "refund");
            throw StripeFailures.Translate(ex, "refunding", request.OrderId, cancellationToken);
        }
    }

    public async Task<PaymentStatus> GetPaymentAsync(string orderId, CancellationToken cancellationToken)
    {
        PaymentRequestGuards.ValidateOrderId(orderId);
        try
        {
            var intent = await FindIntentAsync(orderId, cancellationToken);
            if (intent is not { Status: "succeeded" })
            {
                return PaymentStatus.None;
            }

            var currency = StripeAmounts.FromStripe(intent.Currency);
            var refunded = intent.LatestCharge?.AmountRefunded ?? 0;
            return new PaymentStatus(
                intent.Id, StripeAmounts.FromMinorUnits(intent.AmountReceived, currency), StripeAmounts.FromMinorUnits(refunded, currency), currency);
        }
        catch (Exception ex) when (StripeFailures.IsTransient(ex, cancellationToken) || StripeLedger.IsTransientFailure(ex, cancellationToken) || ex is StripeException)
        {
            LogCallFailed(ex, orderId, "query");
            throw StripeFailures.Translate(ex, "looking up", orderId, cancellationToken);
        }
    }

    /// <summary>Creates and confirms the order's PaymentIntent; a card declined at confirmation comes back as a 402 error carrying the intent.</summary>
    private async Task<(PaymentIntent? Intent, ChargeResult.Declined? Decline)> CreateAsync(ChargeRequest request, long amount, CancellationToken cancellationToken)
    {
        var options = new PaymentIntentCreateOptions
        {
            Amount = amount,
            Currency = StripeAmounts.ToStripe(request.Currency),
            PaymentMethod = request.PaymentToken,
            Confirm = true,
            // Cards only need no return URL: 3-D Secure is finished by the storefront's Stripe.js (requires_action).
            AutomaticPaymentMethods = new PaymentIntentAutomaticPaymentMethodsOptions { Enabled = true, AllowRedirects = "never" },
            Metadata = new Dictionary<string, string> { [OrderIdMetadata] = request.OrderId },
        };
        options.AddExpand("latest_charge");
        try
        {
            return (await _intents.CreateAsync(options, new RequestOptions { IdempotencyKey = ChargeKey(request.OrderId) }, cancellationToken), null);
        }
        catch (StripeException ex) when (StripeFailures.AsDecline(ex) is { } decline)
        {
            return (ex.StripeError?.PaymentIntent, decline);
        }
    }

    private async Task<PaymentIntent> GetAsync(string id, CancellationToken cancellationToken)
    {
        var options = new PaymentIntentGetOptions();
        options.AddExpand("latest_charge");
        return await _intents.GetAsync(id, options, requestOptions: null, cancellationToken);
    }

    /// <summary>The order's PaymentIntent: by the noted id, else by Stripe's search on the order-id metadata (the captured one first).</summary>
    private async Task<PaymentIntent?> FindIntentAsync(string orderId, CancellationToken cancellationToken)
    {
        var (knownId, _) = await _ledger.FindAsync(orderId, cancellationToken);
        if (knownId is not null)
        {
            return await GetAsync(knownId, cancellationToken);
        }

        var search = new PaymentIntentSearchOptions { Query = $"metadata['{OrderIdMetadata}']:'{orderId}'" };
        search.AddExpand("data.latest_charge");
        var found = await _intents.SearchAsync(search, requestOptions: null, cancellationToken);
        var intent = found.Data.FirstOrDefault(i => i.Status == "succeeded") ?? found.Data.FirstOrDefault();
        if (intent is not null)
        {
            LogFoundBySearch(orderId, intent.Id, intent.Status);
            await _ledger.RememberAsync(orderId, intent.Id, cancellationToken);
        }

        return intent;
    }

    private async Task CancelAsync(string orderId, PaymentIntent intent, CancellationToken cancellationToken)
    {
        try
        {
            await _intents.CancelAsync(intent.Id, new PaymentIntentCancelOptions(), new RequestOptions { IdempotencyKey = CancelKey(orderId) }, cancellationToken);
            LogCancelled(orderId, intent.Id, intent.Status);
        }
        catch (StripeException ex) when (!StripeFailures.IsTransient(ex, cancellationToken))
        {
            // It moved on meanwhile (it captured, or cannot be cancelled while processing): ask again on the next try.
            throw new PaymentGatewayUnavailableException($"The PaymentIntent of order {orderId} changed state while it was being cancelled.", ex);
        }
    }

    /// <summary>A charge that landed on a closed order: refunded (or cancelled) at once with the refund's own key.</summary>
    private async Task GiveBackAsync(string orderId, PaymentIntent intent, CancellationToken cancellationToken)
    {
        LogChargeAfterClose(orderId);
        if (intent.Status == "succeeded")
        {
            await _refunds.CreateAsync(
                new RefundCreateOptions
                {
                    PaymentIntent = intent.Id,
                    Amount = intent.AmountReceived,
                    Metadata = new Dictionary<string, string> { [OrderIdMetadata] = orderId },
                },
                new RequestOptions { IdempotencyKey = RefundKey(orderId) },
                cancellationToken);
        }
        else if (intent.Status != "canceled")
        {
            await CancelAsync(orderId, intent, cancellationToken);
        }
    }

    private static ChargeResult ToResult(PaymentIntent intent) => intent.Status switch
    {
        "succeeded" => new ChargeResult.Captured(
            intent.Id,
            StripeAmounts.FromMinorUnits(intent.AmountReceived, StripeAmounts.FromStripe(intent.Currency)),
            StripeAmounts.FromStripe(intent.Currency),
            Utc(intent.Created)),
        "requires_action" or "processing" => new ChargeResult.Pending(intent.Id, intent.Status),
        "requires_payment_method" => new ChargeResult.Declined(
            intent.LastPaymentError?.DeclineCode ?? intent.LastPaymentError?.Code ?? DeclineCodes.CardDeclined,
            intent.LastPaymentError?.Message ?? "The card was declined."),
        "canceled" => OrderClosed(),
        _ => throw new InvalidOperationException($"PaymentIntent {intent.Id} is {intent.Status}, which a confirmed automatic-capture charge never is."),
    };

    private static DateTimeOffset Utc(DateTime time) => new(DateTime.SpecifyKind(time, DateTimeKind.Utc));

    private static ChargeResult.Declined OrderClosed() => new(DeclineCodes.OrderClosed, "The order was closed by a refund; nothing was charged.");

    private static RefundResult.Rejected? Reject(RefundRequest request, string intentId, decimal captured, string currency)
    {
        if (request.ChargeId.Length > 0 && request.ChargeId != intentId)
        {
            return new RefundResult.Rejected(RefundRejectCodes.ChargeMismatch, "The charge is not this order's charge.");
        }

        if (request.Currency.Length > 0 && request.Currency != currency)
        {
            return new RefundResult.Rejected(RefundRejectCodes.CurrencyMismatch, $"The charge was in {currency}.");
        }

        return !request.IsEverything && request.Amount > captured
            ? new RefundResult.Rejected(RefundRejectCodes.AmountExceedsCharge, $"The charge captured {captured} {currency}.")
            : null;
    }

    private void LogCharge(string orderId, string? intentId, ChargeResult result)
    {
        switch (result)
        {
            case ChargeResult.Captured captured:
                LogCaptured(orderId, captured.ChargeId, captured.Amount, captured.Currency);
                break;
            case ChargeResult.Pending pending:
                LogPending(orderId, pending.ChargeId, pending.Reason);
                break;
            case ChargeResult.Declined declined:
                LogDeclined(orderId, intentId, declined.DeclineCode);
                break;
        }
    }
}
