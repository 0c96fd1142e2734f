namespace Shop.Functions.Orders.SubmitOrder;

/// <summary>
/// A submission as the trigger received it: the parsed body, the <c>Idempotency-Key</c> header's values as sent (none,
/// one, or several), the caller the keys are scoped to, and the gateway-verified account (null: none).
/// </summary>
public sealed record SubmitOrderInput(SubmitOrderRequest Body, IReadOnlyList<string?> IdempotencyKeys, string CallerId, string? Account);

/// <summary>What a submission came to; the trigger maps each case to its HTTP answer.</summary>
public abstract record SubmitOrderAnswer
{
    private SubmitOrderAnswer()
    {
    }

    /// <summary>The body or the key is not valid: nothing was stored (400, with the errors by field).</summary>
    public sealed record Invalid(IReadOnlyDictionary<string, string[]> Errors) : SubmitOrderAnswer;

    /// <summary>The catalog cannot price the order (unknown SKUs, mixed currencies): nothing was stored (422).</summary>
    public sealed record NotPriced(PricingResult Pricing) : SubmitOrderAnswer;

    /// <summary>The key was used before with another body (422).</summary>
    public sealed record KeyReused : SubmitOrderAnswer;

    /// <summary>
    /// Storage or the catalog failed (503). <paramref name="OutcomeKnown"/>: nothing was stored; false: a write may have
    /// committed, and only a retry with the same key is safe.
    /// </summary>
    public sealed record Unavailable(bool OutcomeKnown) : SubmitOrderAnswer;

    /// <summary>The order is accepted (new, or the same request again): 202 with its id, status and callback secret.</summary>
    public sealed record Accepted(string OrderId, string Status, string? CallbackSecret) : SubmitOrderAnswer;
}
