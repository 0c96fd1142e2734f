using System.Globalization;
using System.Text;

namespace Shop.Functions.Payments;

/// <summary>
/// Charge <paramref name="Amount"/> (in <paramref name="Currency"/>, an ISO 4217 code such as <c>EUR</c>) to the
/// card behind <paramref name="PaymentToken"/>, once per <paramref name="OrderId"/>. The token is a secret:
/// <see cref="ToString"/> leaves it out, so logging the request cannot leak it.
/// </summary>
public sealed record ChargeRequest(string OrderId, string PaymentToken, decimal Amount, string Currency)
{
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append(CultureInfo.InvariantCulture, $"OrderId = {OrderId}, PaymentToken = [redacted], Amount = {Amount}, Currency = {Currency}");
        return true;
    }
}

/// <summary>
/// Give back <paramref name="Amount"/> of the order's charge, once per <paramref name="OrderId"/>.
/// <paramref name="ChargeId"/> may be empty when the caller does not know it (the charge's answer was lost):
/// the order id finds the charge. When it is given it must be the order's charge. <paramref name="Amount"/> 0 means
/// "everything the order's charge captured", and then <paramref name="Currency"/> may be empty (any currency):
/// <see cref="Everything"/> is the request that resolves an order whose charge is in doubt. Every refund closes the
/// order at the provider, even one that finds nothing to give back: a charge for it arriving later is declined.
/// </summary>
public sealed record RefundRequest(string OrderId, string ChargeId, decimal Amount, string Currency)
{
    /// <summary>Refund whatever the order's charge captured, if anything, and close the order at the provider.</summary>
    public static RefundRequest Everything(string orderId) => new(orderId, ChargeId: string.Empty, Amount: 0m, Currency: string.Empty);

    /// <summary>The request asks for the whole captured amount (<see cref="Amount"/> 0).</summary>
    public bool IsEverything => Amount == 0m;
}
