using System.Text.Json.Serialization;

namespace Shop.Functions.Payments;

/// <summary>
/// The answer to a charge: <see cref="Captured"/> or <see cref="Declined"/>; match on the type. A decline is a
/// normal answer (retrying cannot change it); an outage is <see cref="PaymentGatewayUnavailableException"/>.
/// Activities map it to their own small output record rather than return it: a serializer that writes the
/// runtime type leaves out the <c>outcome</c> discriminator that reading it back as <see cref="ChargeResult"/> needs.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "outcome")]
[JsonDerivedType(typeof(Captured), "captured")]
[JsonDerivedType(typeof(Declined), "declined")]
[JsonDerivedType(typeof(Pending), "pending")]
public abstract record ChargeResult
{
    private ChargeResult()
    {
    }

    /// <summary>The money was taken. <paramref name="ChargeId"/> is what a refund names.</summary>
    public sealed record Captured(string ChargeId, decimal Amount, string Currency, DateTimeOffset CapturedAt) : ChargeResult;

    /// <summary>The provider refused the card. <paramref name="DeclineCode"/> is one of <see cref="DeclineCodes"/> (or the provider's own).</summary>
    public sealed record Declined(string DeclineCode, string Message) : ChargeResult;

    /// <summary>
    /// Neither yet: the customer must act (3-D Secure, <c>requires_action</c>) or the provider is still deciding
    /// (<c>processing</c>). The outcome arrives later, by the provider's webhook; <see cref="IPaymentGateway.GetPaymentAsync"/>
    /// tells it too. Charging again answers the same until then. Only real providers answer it (never the sandbox).
    /// </summary>
    public sealed record Pending(string ChargeId, string Reason) : ChargeResult;
}

/// <summary>Why a charge was declined; the codes payment providers commonly use.</summary>
public static class DeclineCodes
{
    public const string CardDeclined = "card_declined";
    public const string InsufficientFunds = "insufficient_funds";

    /// <summary>
    /// The order was closed at the provider (refunded, or closed by a refund before any charge): a late charge request
    /// for it captures nothing. Retrying cannot change it.
    /// </summary>
    public const string OrderClosed = "order_closed";
}
