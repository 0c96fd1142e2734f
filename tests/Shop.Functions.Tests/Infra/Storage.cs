using System.Reflection;
using Shop.Functions.Notifications;
using Shop.Functions.Platform;
using Xunit;

namespace Shop.Functions.Tests.Infra;

/// <summary>The Bicep creates every table and blob container the code names, and keeps shared keys off.</summary>
[Trait("Category", "Slow")]
public sealed class Storage
{
    private static InfraSnapshot Bicep => InfraSnapshot.Defaults;

    [Fact]
    public void CreatesEveryTableInStorageTables()
    {
        var tables = Bicep.ByShortName("Microsoft.Storage/storageAccounts/tableServices/tables").Keys;
        var declared = CodeTopology.Constants(typeof(StorageTables));

        Assert.Contains(StorageTables.Webhooks, declared);
        Assert.Contains(StorageTables.WebhookDeliveries, declared);
        Assert.All(declared, table => Assert.Contains(table, tables));
        Assert.All(StorageTables.InUse, table => Assert.Contains(table, tables));
    }

    [Fact]
    public void CreatesEveryBlobContainerTheCodeNames()
    {
        var containers = Bicep.ByShortName("Microsoft.Storage/storageAccounts/blobServices/containers").Keys;
        var named = typeof(StorageTables).Assembly.GetTypes()
            .Select(t => t.GetField("ContainerName", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static))
            .Where(f => f is { IsLiteral: true })
            .Select(f => (string)f!.GetRawConstantValue()!)
            .ToArray();

        Assert.Contains(SandboxEmailSender.ContainerName, named);
        Assert.All(named, container => Assert.Contains(container, containers));
    }

    [Fact]
    public void TurnsSharedKeysAndLocalAuthOff()
    {
        var account = Assert.Single(Bicep.OfType("Microsoft.Storage/storageAccounts")).GetProperty("properties");
        Assert.False(account.GetProperty("allowSharedKeyAccess").GetBoolean());
        Assert.False(account.GetProperty("allowBlobPublicAccess").GetBoolean());

        var serviceBus = Assert.Single(Bicep.OfType("Microsoft.ServiceBus/namespaces"));
        Assert.True(serviceBus.GetProperty("properties").GetProperty("disableLocalAuth").GetBoolean());
        Assert.Equal("Standard", serviceBus.GetProperty("sku").GetProperty("name").GetString());

        var insights = Assert.Single(Bicep.OfType("Microsoft.Insights/components"));
        Assert.True(insights.GetProperty("properties").GetProperty("DisableLocalAuth").GetBoolean());

        Assert.All(Bicep.OfType("Microsoft.Web/sites/basicPublishingCredentialsPolicies"),
            p => Assert.False(p.GetProperty("properties").GetProperty("allow").GetBoolean()));
    }
}
