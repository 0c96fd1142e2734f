using System.Text.Json;
using System.Text.RegularExpressions;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Infra;

/// <summary>
/// What infra/main.bicep would deploy, evaluated offline by <c>bicep snapshot</c>: every resource of every module,
/// with loops unrolled and names and properties resolved as far as they do not depend on deployed resources.
/// </summary>
public sealed partial class InfraSnapshot
{
    public const string SubscriptionId = "00000000-0000-0000-0000-000000000000";
    public const string Location = "westeurope";
    public const string DeployingUser = "11111111-1111-1111-1111-111111111111";

    private static readonly Lazy<InfraSnapshot> Default = new(() => Create(enableApiManagement: false));
    private static readonly Lazy<InfraSnapshot> WithGateway = new(() => Create(enableApiManagement: true));
    private static readonly Lazy<InfraSnapshot> WithAlertEmail = new(() => Create(enableApiManagement: false, AlertEmail));
    private static readonly Lazy<InfraSnapshot> WithPolicies = new(() => Create(enableApiManagement: true, extraParameters: $"""
        param apiManagementEntraTenantId = '{EntraTenantId}'
        param apiManagementEntraAudience = '{EntraAudience}'
        param apiManagementEntraLoginEndpoint = 'https://login.microsoftonline.com/'
        param apiManagementRateLimitCallsPerMinute = {RateLimitCallsPerMinute}
        param storefrontOrigin = '{StorefrontOrigin}'
        """));

    public const string EntraTenantId = "33333333-3333-3333-3333-333333333333";
    public const string EntraAudience = "api://shop-test";
    public const int RateLimitCallsPerMinute = 120;
    public const string StorefrontOrigin = "https://storefront.shop.example";
    public const string GatewayCallerSecret = "not-a-secret-only-for-the-snapshot-caller";

    public const string AlertEmail = "ops@shop.example";

    /// <summary>The secure parameters' values in <see cref="WithRealProviders"/>: none may show up in settings or outputs.</summary>
    public static readonly IReadOnlyList<string> ProviderSecrets = ["smtp-password-for-the-snapshot", "sk_test_for_the_snapshot", "whsec_for_the_snapshot"];

    private static readonly Lazy<InfraSnapshot> WithProviders = new(() => Create(enableApiManagement: false, extraParameters: $"""
        param emailProvider = 'Smtp'
        param smtpHost = 'smtp.example.com'
        param smtpUserName = 'shop'
        param smtpPassword = '{ProviderSecrets[0]}'
        param paymentsProvider = 'Stripe'
        param stripeSecretKey = '{ProviderSecrets[1]}'
        param stripeWebhookSecret = '{ProviderSecrets[2]}'
        """));

    private InfraSnapshot(IReadOnlyList<JsonElement> resources, JsonElement outputs)
    {
        Resources = resources;
        Outputs = outputs;
    }

    /// <summary>The template with its defaults (no API Management).</summary>
    public static InfraSnapshot Defaults => Default.Value;

    /// <summary>The template with enableApiManagement = true.</summary>
    public static InfraSnapshot WithApiManagement => WithGateway.Value;

    /// <summary>The gateway with token validation, a rate limit and CORS (<see cref="EntraTenantId"/> and the others).</summary>
    public static InfraSnapshot WithGatewayPolicies => WithPolicies.Value;

    /// <summary>The template with alertEmail = <see cref="AlertEmail"/> (deploys infra/app/alerts.bicep).</summary>
    public static InfraSnapshot WithAlerts => WithAlertEmail.Value;

    /// <summary>The template with SMTP and Stripe chosen and their secrets given (deploys infra/app/keyvault.bicep).</summary>
    public static InfraSnapshot WithRealProviders => WithProviders.Value;

    public IReadOnlyList<JsonElement> Resources { get; }

    public JsonElement Outputs { get; }

    public IEnumerable<JsonElement> OfType(string type) =>
        Resources.Where(r => string.Equals(r.GetProperty("type").GetString(), type, StringComparison.OrdinalIgnoreCase));

    /// <summary>The last segment of each resource's name: "sb-x/order-events/catalog" gives "catalog".</summary>
    public Dictionary<string, JsonElement> ByShortName(string type) =>
        OfType(type).ToDictionary(r => r.GetProperty("name").GetString()!.Split('/')[^1], StringComparer.Ordinal);

    /// <summary>The function app's app settings (the sites/config 'appsettings' resource).</summary>
    public IReadOnlyDictionary<string, string> AppSettings =>
        OfType("Microsoft.Web/sites/config")
            .Single(r => r.GetProperty("name").GetString()!.EndsWith("/appsettings", StringComparison.Ordinal))
            .GetProperty("properties").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.GetString() ?? string.Empty, StringComparer.Ordinal);

    /// <summary>Role assignments as (scope resource id, role definition guid, principal: literal id or expression).</summary>
    public IReadOnlyList<(string Scope, string Role, string Principal)> RoleAssignments =>
        OfType("Microsoft.Authorization/roleAssignments").Select(r =>
        {
            var properties = r.GetProperty("properties");
            var role = properties.GetProperty("roleDefinitionId").GetString()!.Split('/')[^1];
            return (ScopeOf(r.GetProperty("id").GetString()!), role, properties.GetProperty("principalId").GetString()!);
        }).ToArray();

    private static string ScopeOf(string id)
    {
        var expression = ExtensionResourceId().Match(id);
        if (expression.Success)
        {
            return expression.Groups["scope"].Value;
        }

        var marker = id.IndexOf("/providers/Microsoft.Authorization/roleAssignments/", StringComparison.OrdinalIgnoreCase);
        Assert.True(marker > 0, $"Unexpected role assignment id: {id}");
        return id[..marker];
    }

    private static InfraSnapshot Create(bool enableApiManagement, string alertEmail = "", string extraParameters = "")
    {
        var directory = Directory.CreateTempSubdirectory("shop-bicep-snapshot-").FullName;
        try
        {
            var template = Path.GetRelativePath(directory, TestPaths.InRepository("infra", "main.bicep")).Replace('\\', '/');
            File.WriteAllText(Path.Combine(directory, "test.bicepparam"), $"""
                using '{template}'
                param environmentName = 'test'
                param location = '{Location}'
                param principalId = '{DeployingUser}'
                param idempotencySecret = 'not-a-secret-only-for-the-snapshot'
                param enableApiManagement = {(enableApiManagement ? "true" : "false")}
                param alertEmail = '{alertEmail}'
                param gatewayCallerSecret = '{GatewayCallerSecret}'
                {extraParameters}
                """);
            var result = BicepCli.Run(directory, "snapshot", "test.bicepparam", "--mode", "overwrite",
                "--subscription-id", SubscriptionId, "--location", Location, "--tenant-id", "22222222-2222-2222-2222-222222222222");
            Assert.True(result.ExitCode == 0, $"bicep snapshot failed ({result.ExitCode}):\n{result.StandardError}\n{result.StandardOutput}");

            using var snapshot = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "test.snapshot.json")));
            var diagnostics = snapshot.RootElement.GetProperty("diagnostics");
            Assert.True(diagnostics.GetArrayLength() == 0, $"bicep snapshot diagnostics: {diagnostics}");
            return new InfraSnapshot(
                snapshot.RootElement.GetProperty("predictedResources").EnumerateArray().Select(r => r.Clone()).ToArray(),
                snapshot.RootElement.GetProperty("outputs").Clone());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [GeneratedRegex(@"^\[extensionResourceId\('(?<scope>[^']+)'")]
    private static partial Regex ExtensionResourceId();
}
