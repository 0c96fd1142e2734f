using System.Globalization;

namespace Shop.Functions.Payments;

/// <summary>
/// Stripe counts money in the currency's smallest unit (cents for EUR) and writes currencies in lower case; Shop uses
/// decimals and ISO 4217 upper case. Zero-decimal currencies (JPY, KRW, ...) are counted in whole units, as Stripe lists them.
/// </summary>
internal static class StripeAmounts
{
    private static readonly HashSet<string> ZeroDecimal = new(StringComparer.OrdinalIgnoreCase)
    {
        "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF",
    };

    public static long ToMinorUnits(decimal amount, string currency)
    {
        var minor = ZeroDecimal.Contains(currency) ? amount : amount * 100m;
        if (minor != decimal.Truncate(minor))
        {
            throw new ArgumentException($"{amount.ToString(CultureInfo.InvariantCulture)} {currency} has more decimals than Stripe can charge.", nameof(amount));
        }

        return (long)minor;
    }

    public static decimal FromMinorUnits(long amount, string currency) =>
        ZeroDecimal.Contains(currency) ? amount : amount / 100m;

    public static string ToStripe(string currency) => currency.ToLowerInvariant();

    public static string FromStripe(string currency) => currency.ToUpperInvariant();
}
