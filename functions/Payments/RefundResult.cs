using System.Text.Json.Serialization;

namespace Shop.Functions.Payments;

/// <summary>The answer to a refund: <see cref="Refunded"/>, <see cref="NothingCharged"/> or <see cref="Rejected"/>; match on the type.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "outcome")]
[JsonDerivedType(typeof(Refunded), "refunded")]
[JsonDerivedType(typeof(NothingCharged), "nothingCharged")]
[JsonDerivedType(typeof(Rejected), "rejected")]
public abstract record RefundResult
{
    private RefundResult()
    {
    }

    /// <summary>The money was given back.</summary>
    public sealed record Refunded(string RefundId, string ChargeId, decimal Amount, string Currency, DateTimeOffset RefundedAt) : RefundResult;

    /// <summary>The order has no captured charge (none, or a declined one): nothing to give back. Compensating a failed charge ends here.</summary>
    public sealed record NothingCharged : RefundResult;

    /// <summary>The provider refused the refund; retrying will not help. <paramref name="RejectCode"/> is one of <see cref="RefundRejectCodes"/>.</summary>
    public sealed record Rejected(string RejectCode, string Message) : RefundResult;
}

/// <summary>Why a refund was refused.</summary>
public static class RefundRejectCodes
{
    /// <summary>The request names a charge that is not the order's charge.</summary>
    public const string ChargeMismatch = "charge_mismatch";

    /// <summary>The request's currency is not the charge's.</summary>
    public const string CurrencyMismatch = "currency_mismatch";

    /// <summary>The request asks for more than the charge captured.</summary>
    public const string AmountExceedsCharge = "amount_exceeds_charge";
}
