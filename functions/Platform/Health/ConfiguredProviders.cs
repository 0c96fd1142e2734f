using Microsoft.Extensions.Configuration;

namespace Shop.Functions.Platform.Health;

/// <summary>
/// The external providers the configuration chooses (e-mail, payments) and whether the settings each needs are
/// there, read from configuration alone: no provider is called, and no value is shown, only setting names. A Key
/// Vault reference that App Service could not resolve stays the literal <c>@Microsoft.KeyVault(...)</c> text, so it
/// counts as missing.
/// </summary>
public sealed class ConfiguredProviders(IConfiguration configuration)
{
    public const string Email = "email";
    public const string Payments = "payments";

    private const string Sandbox = "Sandbox";
    private const string UnresolvedKeyVaultReference = "@Microsoft.KeyVault(";

    public IReadOnlyList<ProviderHealth> Report() =>
    [
        Describe(Email, configuration["Email:Provider"], provider => provider switch
        {
            "smtp" => ["Email:Smtp:Host", .. configuration["Email:Smtp:UserName"] is { Length: > 0 } ? ["Email:Smtp:Password"] : Array.Empty<string>()],
            _ => [],
        }),
        Describe(Payments, configuration["Payments:Provider"], provider => provider switch
        {
            "stripe" => ["Payments:Stripe:SecretKey", "Payments:Stripe:WebhookSecret"],
            _ => [],
        }),
    ];

    private ProviderHealth Describe(string name, string? provider, Func<string, string[]> required)
    {
        var chosen = string.IsNullOrWhiteSpace(provider) ? Sandbox : provider.Trim();
        var missing = required(chosen.ToLowerInvariant()).Where(setting => !IsPresent(configuration[setting])).ToList();
        return new ProviderHealth(name, chosen, missing.Count == 0, missing);
    }

    private static bool IsPresent(string? value) =>
        !string.IsNullOrWhiteSpace(value) && !value.StartsWith(UnresolvedKeyVaultReference, StringComparison.OrdinalIgnoreCase);
}
