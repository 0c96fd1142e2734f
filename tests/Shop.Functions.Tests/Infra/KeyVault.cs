using System.Text.Json;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Infra;

/// <summary>
/// infra/app/keyvault.bicep as deployed (bicep snapshot): with a real provider chosen (SMTP, Stripe) a Key Vault with
/// RBAC holds their secrets, from secure parameters; the app's identity reads them as Key Vault Secrets User; the app
/// settings are Key Vault references resolved with that identity; no secret is in a setting or an output.
/// </summary>
[Trait("Category", "Slow")]
public sealed class KeyVault
{
    private const string Vaults = "Microsoft.KeyVault/vaults";
    private const string Secrets = "Microsoft.KeyVault/vaults/secrets";
    private const string SecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";

    private static InfraSnapshot Snapshot => InfraSnapshot.WithRealProviders;

    [Fact]
    public void WithTheSandboxesNoVaultIsDeployedAndNoReferenceSet()
    {
        var defaults = InfraSnapshot.Defaults;

        Assert.Empty(defaults.OfType(Vaults));
        Assert.Equal("Sandbox", defaults.AppSettings["Email__Provider"]);
        Assert.Equal("Sandbox", defaults.AppSettings["Payments__Provider"]);
        Assert.Equal(string.Empty, defaults.AppSettings["Email__Smtp__Password"]);
        Assert.Equal(string.Empty, defaults.AppSettings["Payments__Stripe__SecretKey"]);
        Assert.Equal(string.Empty, defaults.AppSettings["Payments__Stripe__WebhookSecret"]);
        Assert.Equal(string.Empty, defaults.Outputs.GetProperty("AZURE_KEY_VAULT_NAME").GetString());
    }

    [Fact]
    public void TheVaultAuthorizesWithRbacAndHasNoAccessPolicies()
    {
        var vault = Assert.Single(Snapshot.OfType(Vaults));
        var properties = vault.GetProperty("properties");

        Assert.True(properties.GetProperty("enableRbacAuthorization").GetBoolean());
        Assert.False(properties.TryGetProperty("accessPolicies", out var policies) && policies.GetArrayLength() > 0);
        Assert.StartsWith("kv-", vault.GetProperty("name").GetString(), StringComparison.Ordinal);
        Assert.Equal(vault.GetProperty("name").GetString(), Snapshot.Outputs.GetProperty("AZURE_KEY_VAULT_NAME").GetString());
    }

    [Fact]
    public void TheAppIdentityReadsTheSecretsAsKeyVaultSecretsUserOnTheVault()
    {
        var vaultId = Assert.Single(Snapshot.OfType(Vaults)).GetProperty("id").GetString();

        var assignment = Assert.Single(Snapshot.RoleAssignments, a => a.Role == SecretsUser);
        Assert.Equal(vaultId, assignment.Scope);
        Assert.Contains("userAssignedIdentities/id-api-", assignment.Principal, StringComparison.Ordinal);
    }

    [Fact]
    public void EachSecretComesFromASecureParameter()
    {
        var secrets = Snapshot.ByShortName(Secrets);

        Assert.Equal(["smtp-password", "stripe-secret-key", "stripe-webhook-secret"], secrets.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("[parameters('smtpPassword')]", Value(secrets["smtp-password"]));
        Assert.Equal("[parameters('stripeSecretKey')]", Value(secrets["stripe-secret-key"]));
        Assert.Equal("[parameters('stripeWebhookSecret')]", Value(secrets["stripe-webhook-secret"]));
        var compiled = BicepCli.Run(TestPaths.InRepository("infra"), "build", "main.bicep", "--stdout");
        using var template = JsonDocument.Parse(compiled.StandardOutput);
        var parameters = template.RootElement.GetProperty("parameters");
        Assert.All(["smtpPassword", "stripeSecretKey", "stripeWebhookSecret"], name =>
            Assert.Equal("securestring", parameters.GetProperty(name).GetProperty("type").GetString()));
    }

    [Theory]
    [InlineData("Email__Smtp__Password", "smtp-password")]
    [InlineData("Payments__Stripe__SecretKey", "stripe-secret-key")]
    [InlineData("Payments__Stripe__WebhookSecret", "stripe-webhook-secret")]
    public void TheAppSettingIsAKeyVaultReferenceResolvedWithTheAppIdentity(string setting, string secret)
    {
        var vault = Assert.Single(Snapshot.OfType(Vaults)).GetProperty("name").GetString();
        var app = Assert.Single(Snapshot.OfType("Microsoft.Web/sites"));

        var value = Snapshot.AppSettings[setting];

        Assert.Contains($"@Microsoft.KeyVault(SecretUri={{0}}secrets/{secret}/)", value, StringComparison.Ordinal);
        Assert.Contains($"'{vault}'", value, StringComparison.Ordinal);
        var identity = app.GetProperty("identity").GetProperty("userAssignedIdentities").EnumerateObject().Single().Name;
        Assert.Equal(identity, app.GetProperty("properties").GetProperty("keyVaultReferenceIdentity").GetString());
    }

    [Fact]
    public void SetsTheChosenProvidersAndTheirPlainSettings()
    {
        Assert.Equal("Smtp", Snapshot.AppSettings["Email__Provider"]);
        Assert.Equal("smtp.example.com", Snapshot.AppSettings["Email__Smtp__Host"]);
        Assert.Equal("587", Snapshot.AppSettings["Email__Smtp__Port"]);
        Assert.Equal("StartTls", Snapshot.AppSettings["Email__Smtp__TlsMode"]);
        Assert.Equal("shop", Snapshot.AppSettings["Email__Smtp__UserName"]);
        Assert.Equal("Stripe", Snapshot.AppSettings["Payments__Provider"]);
    }

    [Fact]
    public void PutsNoSecretInAnAppSettingOrAnOutput()
    {
        var outputs = Snapshot.Outputs.GetRawText();

        Assert.All(InfraSnapshot.ProviderSecrets, secret =>
        {
            Assert.DoesNotContain(Snapshot.AppSettings.Values, value => value.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(secret, outputs, StringComparison.Ordinal);
        });
        Assert.All(["smtpPassword", "stripeSecretKey", "stripeWebhookSecret"], parameter =>
        {
            Assert.DoesNotContain(Snapshot.AppSettings.Values, value => value.Contains($"parameters('{parameter}')", StringComparison.Ordinal));
            Assert.DoesNotContain($"parameters('{parameter}')", outputs, StringComparison.Ordinal);
        });
    }

    private static string? Value(JsonElement secret) => secret.GetProperty("properties").GetProperty("value").GetString();
}
