using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Shop.Functions.Fulfillment;
using Shop.Functions.Orders;
using Stripe;

namespace Shop.Functions.Payments.StripeEvents;

/// <summary>What became of a Stripe event delivery; <see cref="StripeEventsFunction"/> maps it to HTTP.</summary>
public enum StripeEventOutcome
{
    /// <summary>The order's saga was told the payment's outcome.</summary>
    Raised,

    /// <summary>An event Shop does not need, or about a PaymentIntent that is not an order's: acknowledged, nothing done.</summary>
    Ignored,

    /// <summary>The event was handled before (its inbox mark exists).</summary>
    Duplicate,

    /// <summary>The order has no running saga (it ended meanwhile): acknowledged, nothing to tell.</summary>
    NoSaga,

    /// <summary>No or wrong <c>Stripe-Signature</c>, or a timestamp outside the tolerance: refused, nothing read.</summary>
    BadSignature,

    /// <summary>Signed, but not an event Stripe.net can read.</summary>
    Malformed,

    /// <summary>This deployment has no Stripe webhook secret: nothing can be verified.</summary>
    NotConfigured,
}

/// <summary>
/// Stripe's webhook, inbound: verifies the <c>Stripe-Signature</c> header against the endpoint secret with Stripe.net's
/// <see cref="EventUtility"/> (timestamp tolerance <see cref="StripeOptions.SignatureTolerance"/>, the clock a
/// <see cref="TimeProvider"/>), then for <c>payment_intent.succeeded</c> and <c>payment_intent.payment_failed</c> raises
/// <see cref="FulfillmentEvents.PaymentSettled"/> on the saga of the order named in the PaymentIntent's metadata, once
/// per event id (<see cref="StripeEventInbox"/>). The saga asks Stripe itself for the amount (ResolvePayment): the event
/// only wakes it.
/// </summary>
public sealed partial class StripeEventsHandler(
    IOptions<StripeOptions> options, StripeEventInbox inbox, TimeProvider time, ILogger<StripeEventsHandler> logger)
{
    public const string PaymentSucceeded = "payment_intent.succeeded";
    public const string PaymentFailed = "payment_intent.payment_failed";

    public async Task<StripeEventOutcome> HandleAsync(string body, string? signature, DurableTaskClient client, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (settings.WebhookSecret.Length == 0)
        {
            return StripeEventOutcome.NotConfigured;
        }

        if (!IsSigned(body, signature, settings))
        {
            return StripeEventOutcome.BadSignature;
        }

        Event stripeEvent;
        try
        {
            stripeEvent = EventUtility.ParseEvent(body, throwOnApiVersionMismatch: false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogMalformed(ex);
            return StripeEventOutcome.Malformed;
        }

        if (stripeEvent is not { Object: "event", Id.Length: > 0, Type.Length: > 0 })
        {
            return StripeEventOutcome.Malformed;
        }

        if (stripeEvent.Type is not (PaymentSucceeded or PaymentFailed))
        {
            LogIgnored(stripeEvent.Id, stripeEvent.Type);
            return StripeEventOutcome.Ignored;
        }

        if (stripeEvent.Data?.Object is not PaymentIntent intent)
        {
            return StripeEventOutcome.Malformed;
        }

        if (intent.Metadata is null || !intent.Metadata.TryGetValue(StripePaymentGateway.OrderIdMetadata, out var orderId) || !OrderIds.IsWellFormed(orderId))
        {
            LogNotAnOrder(stripeEvent.Id, intent.Id);
            return StripeEventOutcome.Ignored;
        }

        using var scope = logger.BeginScope(new Dictionary<string, object> { ["OrderId"] = orderId });
        if (await inbox.SeenAsync(stripeEvent.Id, cancellationToken))
        {
            LogDuplicate(orderId, stripeEvent.Id);
            return StripeEventOutcome.Duplicate;
        }

        var outcome = StripeEventOutcome.NoSaga;
        var instance = await client.GetInstanceAsync(orderId, cancellationToken);
        if (instance?.RuntimeStatus is OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Pending or OrchestrationRuntimeStatus.Suspended)
        {
            var succeeded = stripeEvent.Type == PaymentSucceeded;
            var declineCode = succeeded ? null : intent.LastPaymentError?.DeclineCode ?? intent.LastPaymentError?.Code ?? DeclineCodes.CardDeclined;
            await client.RaiseEventAsync(orderId, FulfillmentEvents.PaymentSettled, new PaymentSettledData(intent.Id, succeeded, declineCode), cancellationToken);
            LogRaised(orderId, stripeEvent.Id, stripeEvent.Type);
            outcome = StripeEventOutcome.Raised;
        }
        else
        {
            LogNoSaga(orderId, stripeEvent.Id, stripeEvent.Type);
        }

        await inbox.MarkAsync(stripeEvent.Id, orderId, stripeEvent.Type, cancellationToken);
        return outcome;
    }

    private bool IsSigned(string body, string? signature, StripeOptions settings)
    {
        if (string.IsNullOrWhiteSpace(signature))
        {
            LogBadSignature("no Stripe-Signature header");
            return false;
        }

        try
        {
            EventUtility.ValidateSignature(
                body, signature, settings.WebhookSecret, (long)settings.SignatureTolerance.TotalSeconds, time.GetUtcNow().ToUnixTimeSeconds());
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Stripe.net throws StripeException for a wrong or stale signature, and parsing errors for a malformed header.
            LogBadSignature(ex.Message);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stripe event refused: {Reason}")]
    private partial void LogBadSignature(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Signed Stripe event could not be read")]
    private partial void LogMalformed(Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Stripe event {EventId} ({EventType}) is not one Shop needs")]
    private partial void LogIgnored(string eventId, string eventType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stripe event {EventId} is about PaymentIntent {PaymentIntentId}, which names no order")]
    private partial void LogNotAnOrder(string eventId, string paymentIntentId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId}: Stripe event {EventId} was handled before")]
    private partial void LogDuplicate(string orderId, string eventId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId}: Stripe event {EventId} ({EventType}) passed to the saga")]
    private partial void LogRaised(string orderId, string eventId, string eventType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId}: Stripe event {EventId} ({EventType}) arrived with no running saga; nothing to do")]
    private partial void LogNoSaga(string orderId, string eventId, string eventType);
}
