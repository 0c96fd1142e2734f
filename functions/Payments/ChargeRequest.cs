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
/// the order id finds the charge. When it is given it must be the order's charge.
/// </summary>
public sealed record RefundRequest(string OrderId, string ChargeId, decimal Amount, string Currency);
