using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Shop.Functions.Platform;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Infra;

/// <summary>
/// Every setting a binding (or host.json) refers to is set by the Bicep, identity-based, and present in
/// local.settings.sample.json; so are the settings the app itself reads at start.
/// </summary>
[Trait("Category", "Slow")]
public sealed partial class AppSettings
{
    private static IReadOnlyDictionary<string, string> Bicep => InfraSnapshot.Defaults.AppSettings;

    [Fact]
    public void SetsEveryBindingConnectionWithTheManagedIdentity()
    {
        var connections = BindingConnections();
        Assert.NotEmpty(connections);

        foreach (var connection in connections)
        {
            Assert.False(Bicep.ContainsKey(connection), $"'{connection}' is a connection string; Azure uses identity-based settings ({connection}__*).");
            AssertIdentityConnection(connection, connection == "ServiceBus" ? "fullyQualifiedNamespace" : "blobServiceUri");
        }
    }

    [Fact]
    public void SetsEverySettingBindingsAndHostJsonNameWithPercentSigns()
    {
        var names = PercentSettings();
        Assert.Contains("DurableTaskHubName", names);

        Assert.All(names, name => Assert.True(Bicep.ContainsKey(name), $"The Bicep does not set '{name}'."));
    }

    [Fact]
    public void ListsEveryReferencedSettingInTheLocalSample()
    {
        var sample = LocalSample();

        Assert.All(BindingConnections(), c => Assert.True(sample.ContainsKey(c), $"local.settings.sample.json lacks '{c}'."));
        Assert.All(PercentSettings(), s => Assert.True(sample.ContainsKey(s), $"local.settings.sample.json lacks '{s}'."));
        Assert.True(sample.ContainsKey("AzureWebJobsStorage"));
        Assert.True(sample.ContainsKey(AzureClients.StorageSetting));
    }

    [Fact]
    public void ConnectsTheHostAndTheAppToStorageWithTheManagedIdentity()
    {
        // Durable Functions on Storage uses blobs, queues and tables of AzureWebJobsStorage; the app's clients
        // (AzureClients) read Storage__tableServiceUri and Storage__blobServiceUri.
        AssertIdentityConnection("AzureWebJobsStorage", "blobServiceUri", "queueServiceUri", "tableServiceUri");
        AssertIdentityConnection(AzureClients.StorageSetting, "tableServiceUri", "blobServiceUri");
    }

    [Fact]
    public void SetsTheSettingsTheAppRequiresAtStart()
    {
        Assert.False(string.IsNullOrEmpty(Bicep["Orders__IdempotencySecret"]));
        Assert.False(string.IsNullOrEmpty(Bicep[Telemetry.AppInsightsSetting]));
        // The user-assigned identity's client id is known only at deployment: the value is still an expression here.
        Assert.Contains("ClientId={0};Authorization=AAD", Bicep["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"], StringComparison.Ordinal);
        Assert.True(LocalSample().ContainsKey("Orders__IdempotencySecret"));
    }

    [Fact]
    public void PutsNoKeyOrConnectionStringInTheBicep()
    {
        Assert.All(Bicep, setting =>
        {
            Assert.DoesNotContain("AccountKey=", setting.Value, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("SharedAccessKey", setting.Value, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("listKeys(", setting.Value, StringComparison.OrdinalIgnoreCase);
        });
    }

    [Fact]
    public void UsesTheApiManagementGatewayAsThePublicOriginWhenEnabled()
    {
        var direct = InfraSnapshot.Defaults;
        var gateway = InfraSnapshot.WithApiManagement;

        Assert.Matches("^https://func-[a-z0-9-]+\\.azurewebsites\\.net$", direct.AppSettings["PublicUrls__BaseUrl"]);
        Assert.Equal(direct.AppSettings["PublicUrls__BaseUrl"] + "/api", direct.Outputs.GetProperty("API_BASE_URL").GetString());
        Assert.Matches("^https://apim-[a-z0-9]+\\.azure-api\\.net$", gateway.AppSettings["PublicUrls__BaseUrl"]);
        Assert.Equal(gateway.AppSettings["PublicUrls__BaseUrl"] + "/api", gateway.Outputs.GetProperty("API_BASE_URL").GetString());
        Assert.Empty(direct.OfType("Microsoft.ApiManagement/service"));
        var service = Assert.Single(gateway.OfType("Microsoft.ApiManagement/service"));
        Assert.Equal("Consumption", service.GetProperty("sku").GetProperty("name").GetString());
        Assert.Equal("api", Assert.Single(gateway.OfType("Microsoft.ApiManagement/service/apis")).GetProperty("properties").GetProperty("path").GetString());
    }

    private static void AssertIdentityConnection(string prefix, params string[] endpoints)
    {
        foreach (var endpoint in endpoints)
        {
            Assert.True(Bicep.ContainsKey($"{prefix}__{endpoint}"), $"The Bicep does not set {prefix}__{endpoint}.");
        }

        Assert.Equal("managedidentity", Bicep.GetValueOrDefault($"{prefix}__credential"));
        Assert.Equal(Bicep["AZURE_CLIENT_ID"], Bicep.GetValueOrDefault($"{prefix}__clientId"));
    }

    /// <summary>The "connection" of every binding in functions.metadata.</summary>
    private static HashSet<string> BindingConnections() =>
        FunctionsMetadata.All.SelectMany(f => f.Bindings)
            .Select(b => b.TryGetProperty("connection", out var c) ? c.GetString() : null)
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>Every %Name% in a binding's string values or in host.json.</summary>
    private static HashSet<string> PercentSettings()
    {
        var texts = FunctionsMetadata.All.SelectMany(f => f.Bindings).Select(b => b.GetRawText())
            .Append(File.ReadAllText(Path.Combine(TestPaths.FunctionsOutput, "host.json")));
        return texts.SelectMany(t => PercentName().Matches(t)).Select(m => m.Groups["name"].Value).ToHashSet(StringComparer.Ordinal);
    }

    private static Dictionary<string, string?> LocalSample()
    {
        using var sample = JsonDocument.Parse(File.ReadAllText(TestPaths.InRepository("local.settings.sample.json")));
        return sample.RootElement.GetProperty("Values").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString(), StringComparer.Ordinal);
    }

    [GeneratedRegex("%(?<name>[A-Za-z0-9_:.-]+)%")]
    private static partial Regex PercentName();
}
