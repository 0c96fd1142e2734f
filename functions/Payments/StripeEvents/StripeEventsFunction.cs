using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Shop.Functions.Platform;
using Shop.Functions.Platform.Http;

namespace Shop.Functions.Payments.StripeEvents;

/// <summary>The 200 body: the event was taken (what became of it is for the logs and tests).</summary>
public sealed record StripeEventReceipt(string Outcome);

/// <summary>
/// <c>POST /api/payments/stripe/events</c>: Stripe's webhook. Anonymous at the Functions level (Stripe cannot send a
/// function key): the <c>Stripe-Signature</c> header is the credential (<see cref="StripeEventsHandler"/>). 200 for every
/// verified event (also those it ignores, so Stripe stops resending them), 401 problem for a missing, wrong or stale
/// signature, 400 for a signed body that is no event, 404 when this deployment has no Stripe webhook secret, 503 when the
/// task hub or storage failed (Stripe delivers again). A refused request writes nothing.
/// </summary>
public sealed partial class StripeEventsFunction(StripeEventsHandler handler, ILogger<StripeEventsFunction> logger)
{
    public const string Route = "payments/stripe/events";
    public const string SignatureHeader = "Stripe-Signature";

    /// <summary>Stripe's events are small; a body over this is not one.</summary>
    private const int MaxBodyBytes = 512 * 1024;

    [Function(nameof(ReceiveStripeEvent))]
    public async Task<IActionResult> ReceiveStripeEvent(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Route)] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return Problems.Create(request.HttpContext, StatusCodes.Status413PayloadTooLarge, ProblemTypes.PayloadTooLarge, "The body is too large.");
        }

        // The signature is over the exact bytes Stripe sent: read them as they are.
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync(cancellationToken);
        StripeEventOutcome outcome;
        try
        {
            outcome = await handler.HandleAsync(body, request.Headers[SignatureHeader].ToString(), client, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogUnavailable(ex);
            return Problems.ServiceUnavailable(request.HttpContext, "The event could not be passed on; Stripe delivers it again.");
        }

        return outcome switch
        {
            StripeEventOutcome.BadSignature => Problems.Create(
                request.HttpContext,
                StatusCodes.Status401Unauthorized,
                ProblemTypes.InvalidSignature,
                "The Stripe-Signature header does not verify.",
                "It is missing, not signed with this endpoint's secret, or its timestamp is outside the tolerance."),
            StripeEventOutcome.Malformed => Problems.Create(
                request.HttpContext, StatusCodes.Status400BadRequest, ProblemTypes.MalformedJson, "The body is not a Stripe event."),
            StripeEventOutcome.NotConfigured => Problems.NotFound(request.HttpContext, "This deployment does not take Stripe events."),
            _ => new JsonResponse<StripeEventReceipt>(
                StatusCodes.Status200OK, new StripeEventReceipt(outcome.ToString()), ShopJsonContext.Default.StripeEventReceipt),
        };
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A Stripe event could not be handled (task hub or storage); Stripe will deliver it again")]
    private partial void LogUnavailable(Exception exception);
}
