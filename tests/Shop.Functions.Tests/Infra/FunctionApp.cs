using Xunit;

namespace Shop.Functions.Tests.Infra;

/// <summary>The Flex Consumption app and the roles its identity (and the deploying user) get.</summary>
[Trait("Category", "Slow")]
public sealed class FunctionApp
{
    private const string BlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    private const string QueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
    private const string TableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    private const string ServiceBusDataSender = "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39";
    private const string ServiceBusDataReceiver = "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0";
    private const string ServiceBusDataOwner = "090c5cfd-751d-490a-894a-3ce6f1109419";

    private static InfraSnapshot Bicep => InfraSnapshot.Defaults;

    [Fact]
    public void RunsDotnetIsolatedTenOnFlexConsumption()
    {
        var plan = Assert.Single(Bicep.OfType("Microsoft.Web/serverfarms"));
        Assert.Equal("FlexConsumption", plan.GetProperty("sku").GetProperty("tier").GetString());

        var app = Assert.Single(Bicep.OfType("Microsoft.Web/sites"));
        var config = app.GetProperty("properties").GetProperty("functionAppConfig");
        Assert.Equal("dotnet-isolated", config.GetProperty("runtime").GetProperty("name").GetString());
        Assert.Equal("10.0", config.GetProperty("runtime").GetProperty("version").GetString());
        Assert.Equal(2048, config.GetProperty("scaleAndConcurrency").GetProperty("instanceMemoryMB").GetInt32());
        Assert.Equal(40, config.GetProperty("scaleAndConcurrency").GetProperty("maximumInstanceCount").GetInt32());
        Assert.Equal("UserAssignedIdentity", config.GetProperty("deployment").GetProperty("storage").GetProperty("authentication").GetProperty("type").GetString());
        Assert.Equal("UserAssigned", app.GetProperty("identity").GetProperty("type").GetString());
        Assert.Equal("api", app.GetProperty("tags").GetProperty("azd-service-name").GetString());
    }

    [Fact]
    public void GrantsTheIdentityDataRolesForDurableAndServiceBus()
    {
        var app = AppAssignments();

        Assert.Contains(app, a => a.Role == BlobDataOwner && a.Scope.Contains("/Microsoft.Storage/storageAccounts/", StringComparison.Ordinal));
        Assert.Contains(app, a => a.Role == QueueDataContributor);
        Assert.Contains(app, a => a.Role == TableDataContributor);
        Assert.Contains(app, a => a.Role == ServiceBusDataSender && a.Scope.EndsWith(ServiceBusNamespaceId(), StringComparison.Ordinal));
        Assert.Contains(app, a => a.Role == ServiceBusDataReceiver && a.Scope.EndsWith(ServiceBusNamespaceId(), StringComparison.Ordinal));
        Assert.DoesNotContain(app, a => a.Role == ServiceBusDataOwner && a.Scope == ServiceBusNamespaceId());
    }

    [Fact]
    public void LetsScalingReadTheLengthOfEveryTriggeredEntity()
    {
        // Target-based scaling reads the active message count of each trigger's queue or subscription through the
        // administration API (Manage right): Data Owner on the queue, or on the topic for its subscriptions.
        var owners = AppAssignments().Where(a => a.Role == ServiceBusDataOwner).Select(a => a.Scope).ToHashSet();
        var triggers = Infrastructure.FunctionsMetadata.All.Select(f => f.Trigger).Where(t => t.GetProperty("type").GetString() == "serviceBusTrigger");

        foreach (var trigger in triggers)
        {
            var scope = trigger.TryGetProperty("queueName", out var queue)
                ? $"{ServiceBusNamespaceId()}/queues/{queue.GetString()}"
                : $"{ServiceBusNamespaceId()}/topics/{trigger.GetProperty("topicName").GetString()}";
            Assert.Contains(scope, owners);
        }
    }

    [Fact]
    public void GivesTheDeployingUserDataAccess()
    {
        var user = Bicep.RoleAssignments.Where(a => a.Principal == InfraSnapshot.DeployingUser).Select(a => a.Role).ToHashSet();

        Assert.Superset(new HashSet<string> { BlobDataOwner, QueueDataContributor, TableDataContributor, ServiceBusDataSender, ServiceBusDataReceiver }, user);
    }

    private static (string Scope, string Role, string Principal)[] AppAssignments() =>
        Bicep.RoleAssignments.Where(a => a.Principal.Contains("userAssignedIdentities/id-api-", StringComparison.Ordinal)).ToArray();

    private static string ServiceBusNamespaceId() => Assert.Single(Bicep.OfType("Microsoft.ServiceBus/namespaces")).GetProperty("id").GetString()!;
}
