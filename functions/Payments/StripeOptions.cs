using System.ComponentModel.DataAnnotations;

namespace Shop.Functions.Payments;

/// <summary>
/// The Stripe gateway's settings (<c>Payments__Stripe__*</c>), read when <c>Payments:Provider</c> is
/// <see cref="PaymentsOptions.StripeProvider"/>. The keys are secrets: in Azure they are Key Vault references.
/// </summary>
public sealed class StripeOptions
{
    public const string SectionName = PaymentsOptions.SectionName + ":Stripe";

    /// <summary>The name of the HttpClient Stripe.net sends through (its timeout is <see cref="RequestTimeout"/>).</summary>
    public const string HttpClientName = "Stripe";

    /// <summary>The API secret key (<c>sk_live_...</c>, <c>sk_test_...</c> or a restricted <c>rk_...</c> key).</summary>
    public string SecretKey { get; set; } = string.Empty;

    /// <summary>The webhook endpoint's signing secret (<c>whsec_...</c>) that <c>Stripe-Signature</c> is checked with.</summary>
    public string WebhookSecret { get; set; } = string.Empty;

    /// <summary>Where Stripe's API is; tests point it at a local stand-in.</summary>
    [Required]
    public Uri ApiBase { get; set; } = new("https://api.stripe.com");

    /// <summary>How long one call to Stripe may take before it counts as a transient failure (the activity retries it).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:02:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How far a webhook's signed timestamp may be from now (Stripe's default is 5 minutes): older is a replay.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan SignatureTolerance { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The settings a Stripe deployment cannot run without.</summary>
    public bool IsComplete => SecretKey.Length > 0 && WebhookSecret.Length > 0;
}
