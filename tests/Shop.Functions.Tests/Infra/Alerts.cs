using System.Text.Json;
using Shop.Functions.Platform;
using Xunit;

namespace Shop.Functions.Tests.Infra;

/// <summary>
/// infra/app/alerts.bicep as deployed (bicep snapshot): the alerts query the instruments ShopMetrics.cs emits, the
/// dead-letter alert covers the whole namespace split by entity, every rule notifies the one action group.
/// </summary>
[Trait("Category", "Slow")]
public sealed class Alerts
{
    private const string ActionGroups = "Microsoft.Insights/actionGroups";
    private const string MetricAlerts = "Microsoft.Insights/metricAlerts";
    private const string QueryRules = "Microsoft.Insights/scheduledQueryRules";

    private static InfraSnapshot Snapshot => InfraSnapshot.WithAlerts;

    [Fact]
    public void WithoutAnAlertEmailNothingIsDeployed()
    {
        Assert.Empty(InfraSnapshot.Defaults.OfType(ActionGroups));
        Assert.Empty(InfraSnapshot.Defaults.OfType(MetricAlerts));
        Assert.Empty(InfraSnapshot.Defaults.OfType(QueryRules));
    }

    [Fact]
    public void OneActionGroupMailsTheAlertEmail()
    {
        var group = Assert.Single(Snapshot.OfType(ActionGroups));
        var receiver = Assert.Single(group.GetProperty("properties").GetProperty("emailReceivers").EnumerateArray());
        Assert.Equal(InfraSnapshot.AlertEmail, receiver.GetProperty("emailAddress").GetString());
        Assert.StartsWith("ag-", group.GetProperty("name").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void DeadLettersAlertCoversTheNamespaceByEntity()
    {
        var alert = Assert.Single(Snapshot.OfType(MetricAlerts));
        var properties = alert.GetProperty("properties");
        var namespaceId = Assert.Single(Snapshot.OfType("Microsoft.ServiceBus/namespaces")).GetProperty("id").GetString();

        Assert.Equal(namespaceId, Assert.Single(properties.GetProperty("scopes").EnumerateArray()).GetString());
        var criterion = Assert.Single(properties.GetProperty("criteria").GetProperty("allOf").EnumerateArray());
        Assert.Equal("DeadletteredMessages", criterion.GetProperty("metricName").GetString());
        Assert.Equal("Microsoft.ServiceBus/namespaces", criterion.GetProperty("metricNamespace").GetString());
        Assert.Equal(0, criterion.GetProperty("threshold").GetDouble());
        var dimension = Assert.Single(criterion.GetProperty("dimensions").EnumerateArray());
        Assert.Equal("EntityName", dimension.GetProperty("name").GetString());
        Assert.Equal("*", Assert.Single(dimension.GetProperty("values").EnumerateArray()).GetString());
        AssertNotifiesTheActionGroup(properties.GetProperty("actions").EnumerateArray().Select(a => a.GetProperty("actionGroupId").GetString()));
    }

    [Theory]
    [InlineData(ShopMetrics.OrdersNeedingAttentionName)]
    [InlineData(ShopMetrics.OutboxBacklogAgeName)]
    public void AMetricOfTheAppHasALogAlertOnApplicationInsights(string instrument)
    {
        var rule = Assert.Single(Snapshot.OfType(QueryRules), r => Query(r).Contains($"name == \"{instrument}\"", StringComparison.Ordinal));
        AssertOnApplicationInsightsNotifyingTheGroup(rule);
        Assert.StartsWith("customMetrics", Query(rule), StringComparison.Ordinal);
    }

    [Fact]
    public void OutboxBacklogAlertFiresAfterFiveMinutes()
    {
        var rule = Assert.Single(Snapshot.OfType(QueryRules), r => Query(r).Contains(ShopMetrics.OutboxBacklogAgeName, StringComparison.Ordinal));
        // The gauge is in seconds (ShopMetrics: unit "s").
        Assert.EndsWith("valueMax > 300", Query(rule), StringComparison.Ordinal);
    }

    [Fact]
    public void FunctionFailuresHaveALogAlert()
    {
        var rule = Assert.Single(Snapshot.OfType(QueryRules), r => Query(r) == "requests | where success == false");
        AssertOnApplicationInsightsNotifyingTheGroup(rule);
    }

    [Fact]
    public void EveryLogAlertIsOneOfTheKnownOnes()
    {
        Assert.Equal(3, Snapshot.OfType(QueryRules).Count());
        Assert.All(Snapshot.OfType(QueryRules), AssertOnApplicationInsightsNotifyingTheGroup);
    }

    private static string Query(JsonElement rule) =>
        Assert.Single(rule.GetProperty("properties").GetProperty("criteria").GetProperty("allOf").EnumerateArray())
            .GetProperty("query").GetString()!;

    private static void AssertOnApplicationInsightsNotifyingTheGroup(JsonElement rule)
    {
        var properties = rule.GetProperty("properties");
        var insightsId = Assert.Single(Snapshot.OfType("Microsoft.Insights/components")).GetProperty("id").GetString();
        Assert.Equal(insightsId, Assert.Single(properties.GetProperty("scopes").EnumerateArray()).GetString());
        AssertNotifiesTheActionGroup(properties.GetProperty("actions").GetProperty("actionGroups").EnumerateArray().Select(a => a.GetString()));
    }

    private static void AssertNotifiesTheActionGroup(IEnumerable<string?> actionGroupIds)
    {
        var groupId = Assert.Single(Snapshot.OfType(ActionGroups)).GetProperty("id").GetString();
        Assert.Equal(groupId, Assert.Single(actionGroupIds));
    }
}
