using System.ComponentModel.DataAnnotations;

namespace Shop.Functions.Payments;

public sealed class PaymentsOptions
{
    public const string SectionName = "Payments";

    /// <summary>Simulated payments: no money moves (<see cref="SandboxPaymentGateway"/>).</summary>
    public const string SandboxProvider = "Sandbox";

    /// <summary>Real payments through Stripe (<see cref="StripePaymentGateway"/>, settings in <see cref="StripeOptions"/>).</summary>
    public const string StripeProvider = "Stripe";

    /// <summary>The providers this build can talk to. A real provider's gateway adds its name here and in <see cref="PaymentsServiceCollectionExtensions.AddPayments"/>.</summary>
    public static IReadOnlyList<string> KnownProviders { get; } = [SandboxProvider, StripeProvider];

    /// <summary>Which payment provider charges orders; one of <see cref="KnownProviders"/> (case-insensitive).</summary>
    [Required]
    public string Provider { get; set; } = SandboxProvider;

    public bool IsProvider(string name) => string.Equals(Provider, name, StringComparison.OrdinalIgnoreCase);

    public bool IsKnownProvider() => KnownProviders.Any(IsProvider);
}
