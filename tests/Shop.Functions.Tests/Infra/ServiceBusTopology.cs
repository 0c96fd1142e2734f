using System.Text.Json;
using System.Text.RegularExpressions;
using Shop.Functions.Messaging;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Infra;

/// <summary>
/// The code's Service Bus entities (ServiceBusEntities.cs), the Bicep and the emulator config describe one topology
/// (docs/architecture.md): the same queues, topic and subscriptions, duplicate detection, MaxDeliveryCount 10, dead-lettering on
/// expiry, and the documented filter rule on each subscription.
/// </summary>
[Trait("Category", "Slow")]
public sealed partial class ServiceBusTopology
{
    private const string QueueType = "Microsoft.ServiceBus/namespaces/queues";
    private const string TopicType = "Microsoft.ServiceBus/namespaces/topics";
    private const string SubscriptionType = "Microsoft.ServiceBus/namespaces/topics/subscriptions";
    private const string RuleType = "Microsoft.ServiceBus/namespaces/topics/subscriptions/rules";

    private static InfraSnapshot Bicep => InfraSnapshot.Defaults;

    [Fact]
    public void DeclaresExactlyTheCodesEntitiesInBicep()
    {
        Assert.Equal(Sorted(CodeTopology.QueueNames), Sorted(Bicep.ByShortName(QueueType).Keys));
        Assert.Equal(Sorted(CodeTopology.TopicNames), Sorted(Bicep.ByShortName(TopicType).Keys));
        Assert.Equal(Sorted(CodeTopology.SubscriptionNames), Sorted(Bicep.ByShortName(SubscriptionType).Keys));
        Assert.All(Bicep.OfType(SubscriptionType), s => Assert.StartsWith(
            $"{Topics.OrderEvents}/", s.GetProperty("name").GetString()!.Split('/', 2)[1], StringComparison.Ordinal));
    }

    [Fact]
    public void DeclaresExactlyTheCodesEntitiesInTheEmulatorConfig()
    {
        Assert.Equal(Sorted(CodeTopology.QueueNames), Sorted(EmulatorConfig.Queues.Keys));
        Assert.Equal(Sorted(CodeTopology.TopicNames), Sorted(EmulatorConfig.Topics.Keys));
        Assert.Equal(Sorted(CodeTopology.SubscriptionNames), Sorted(EmulatorConfig.Subscriptions(Topics.OrderEvents).Keys));
    }

    [Fact]
    public void GivesEveryQueueDuplicateDetectionTenDeliveriesAndDeadLetteringInBicep()
    {
        foreach (var (name, queue) in Bicep.ByShortName(QueueType))
        {
            var properties = queue.GetProperty("properties");
            Assert.True(properties.GetProperty("requiresDuplicateDetection").GetBoolean(), name);
            Assert.Equal(10, properties.GetProperty("maxDeliveryCount").GetInt32());
            Assert.True(properties.GetProperty("deadLetteringOnMessageExpiration").GetBoolean(), name);
            Assert.False(properties.GetProperty("requiresSession").GetBoolean(), name);
        }
    }

    [Fact]
    public void GivesEveryQueueTheSameSettingsInTheEmulatorConfig()
    {
        var bicep = Bicep.ByShortName(QueueType);
        foreach (var (name, queue) in EmulatorConfig.Queues)
        {
            var properties = queue.GetProperty("Properties");
            Assert.True(properties.GetProperty("RequiresDuplicateDetection").GetBoolean(), name);
            Assert.Equal(10, properties.GetProperty("MaxDeliveryCount").GetInt32());
            Assert.True(properties.GetProperty("DeadLetteringOnMessageExpiration").GetBoolean(), name);
            Assert.False(properties.GetProperty("RequiresSession").GetBoolean(), name);
            Assert.Equal(bicep[name].GetProperty("properties").GetProperty("lockDuration").GetString(), properties.GetProperty("LockDuration").GetString());
        }
    }

    [Fact]
    public void DetectsDuplicatesOnTheTopicForEverySubscription()
    {
        // Subscriptions have no duplicate detection of their own: the topic's applies to all of them.
        Assert.All(Bicep.OfType(TopicType), t => Assert.True(t.GetProperty("properties").GetProperty("requiresDuplicateDetection").GetBoolean()));
        Assert.All(EmulatorConfig.Topics.Values, t => Assert.True(t.GetProperty("Properties").GetProperty("RequiresDuplicateDetection").GetBoolean()));
    }

    [Fact]
    public void GivesEverySubscriptionTenDeliveriesAndDeadLetteringInBothPlaces()
    {
        var emulator = EmulatorConfig.Subscriptions(Topics.OrderEvents);
        foreach (var (name, subscription) in Bicep.ByShortName(SubscriptionType))
        {
            var properties = subscription.GetProperty("properties");
            Assert.Equal(10, properties.GetProperty("maxDeliveryCount").GetInt32());
            Assert.True(properties.GetProperty("deadLetteringOnMessageExpiration").GetBoolean(), name);

            var local = emulator[name].GetProperty("Properties");
            Assert.Equal(10, local.GetProperty("MaxDeliveryCount").GetInt32());
            Assert.True(local.GetProperty("DeadLetteringOnMessageExpiration").GetBoolean(), name);
            Assert.Equal(properties.GetProperty("lockDuration").GetString(), local.GetProperty("LockDuration").GetString());
        }
    }

    [Fact]
    public void ReplacesEachSubscriptionsDefaultRuleWithItsFilterInBicep()
    {
        var rules = Bicep.OfType(RuleType).ToArray();
        Assert.Equal(CodeTopology.SubscriptionNames.Count, rules.Length);
        foreach (var rule in rules)
        {
            // {namespace}/{topic}/{subscription}/{rule}: the rule named $Default replaces the match-all rule.
            var segments = rule.GetProperty("name").GetString()!.Split('/');
            var (topic, subscription, name) = (segments[1], segments[2], segments[3]);
            var properties = rule.GetProperty("properties");

            Assert.Equal(Topics.OrderEvents, topic);
            Assert.Equal("$Default", name);
            Assert.Equal("SqlFilter", properties.GetProperty("filterType").GetString());
            Assert.Equal(CodeTopology.ExpectedFilter(subscription), properties.GetProperty("sqlFilter").GetProperty("sqlExpression").GetString());
        }
    }

    [Fact]
    public void GivesEachSubscriptionOnlyItsFilterInTheEmulatorConfig()
    {
        foreach (var (name, subscription) in EmulatorConfig.Subscriptions(Topics.OrderEvents))
        {
            var rule = Assert.Single(subscription.GetProperty("Rules").EnumerateArray());
            var properties = rule.GetProperty("Properties");

            Assert.Equal("Sql", properties.GetProperty("FilterType").GetString());
            Assert.Equal(CodeTopology.ExpectedFilter(name), properties.GetProperty("SqlFilter").GetProperty("SqlExpression").GetString());
        }
    }

    [Fact]
    public void MatchesTheFiltersDocumentedInMessagingDocs()
    {
        var documented = DocumentedFilters();

        Assert.Equal(Sorted(CodeTopology.SubscriptionNames), Sorted(documented.Keys));
        Assert.All(documented, d => Assert.Equal(CodeTopology.ExpectedFilter(d.Key), d.Value));
    }

    [Fact]
    public void TriggersOnlyOnEntitiesDeclaredInBicepAndTheEmulatorConfig()
    {
        var triggers = FunctionsMetadata.All.Select(f => f.Trigger).Where(t => t.GetProperty("type").GetString() == "serviceBusTrigger").ToArray();
        Assert.NotEmpty(triggers);

        var bicepQueues = Bicep.ByShortName(QueueType);
        var bicepSubscriptions = Bicep.OfType(SubscriptionType).Select(s => string.Join('/', s.GetProperty("name").GetString()!.Split('/')[1..])).ToHashSet();
        foreach (var trigger in triggers)
        {
            if (trigger.TryGetProperty("queueName", out var queue))
            {
                Assert.Contains(queue.GetString()!, bicepQueues.Keys);
                Assert.Contains(queue.GetString()!, EmulatorConfig.Queues.Keys);
            }
            else
            {
                var topic = trigger.GetProperty("topicName").GetString()!;
                var subscription = trigger.GetProperty("subscriptionName").GetString()!;
                Assert.Contains($"{topic}/{subscription}", bicepSubscriptions);
                Assert.Contains(subscription, EmulatorConfig.Subscriptions(topic).Keys);
            }
        }
    }

    /// <summary>The table in docs/messaging.md: | `notifications` | `retryFor IS NULL OR ...` |.</summary>
    private static Dictionary<string, string> DocumentedFilters()
    {
        var docs = File.ReadAllText(TestPaths.InRepository("docs", "messaging.md"));
        var section = docs[docs.IndexOf("## Topic subscriptions", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("\n## ", 1, StringComparison.Ordinal)];
        return FilterRow().Matches(section).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["filter"].Value, StringComparer.Ordinal);
    }

    private static string[] Sorted(IEnumerable<string> names) => names.Order(StringComparer.Ordinal).ToArray();

    [GeneratedRegex(@"^\| `(?<name>[a-z-]+)` \| `(?<filter>[^`]+)` \|", RegexOptions.Multiline)]
    private static partial Regex FilterRow();
}
