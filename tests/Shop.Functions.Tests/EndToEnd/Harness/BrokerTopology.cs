using System.Text.Json;
using System.Xml;
using Shop.Functions.Tests.Infra;
using Shop.Functions.Tests.Infrastructure;

namespace Shop.Functions.Tests.EndToEnd.Harness;

/// <summary>
/// One place a consumer receives from: a queue, or a topic's subscription with its filter. <see cref="FunctionName"/>
/// is the function whose <c>serviceBusTrigger</c> in functions.metadata names it.
/// </summary>
public sealed record BrokerEntity(
    string Path,
    string Destination,
    string? Subscription,
    string FunctionName,
    SqlFilter Filter,
    int MaxDeliveryCount,
    TimeSpan DuplicateWindow)
{
    public override string ToString() => Path;
}

/// <summary>
/// What the in-process broker delivers where: every Service Bus trigger in the built functions.metadata, with the
/// settings and subscription rules of infra/local/servicebus-emulator.json (the same topology as the Bicep, which
/// <c>Infra/ServiceBusTopologyTests</c> checks). Reading both means the harness routes as the app is deployed.
/// </summary>
public sealed class BrokerTopology
{
    private BrokerTopology(IReadOnlyList<BrokerEntity> entities, IReadOnlySet<string> topics, IReadOnlyDictionary<string, TimeSpan> duplicateWindows)
    {
        Entities = entities;
        Topics = topics;
        DuplicateWindows = duplicateWindows;
    }

    public IReadOnlyList<BrokerEntity> Entities { get; }

    public IReadOnlySet<string> Topics { get; }

    /// <summary>Duplicate detection window of each queue and topic (what a send is checked against).</summary>
    public IReadOnlyDictionary<string, TimeSpan> DuplicateWindows { get; }

    public static BrokerTopology Load()
    {
        var entities = new List<BrokerEntity>();
        foreach (var function in FunctionsMetadata.All)
        {
            var trigger = function.Trigger;
            if (trigger.GetProperty("type").GetString() != "serviceBusTrigger")
            {
                continue;
            }

            if (trigger.TryGetProperty("queueName", out var queueName) && queueName.GetString() is { } queue)
            {
                var settings = EmulatorConfig.Queues[queue].GetProperty("Properties");
                entities.Add(new BrokerEntity(queue, queue, null, function.Name, SqlFilter.TrueFilter, MaxDeliveryCount(settings), Window(settings)));
                continue;
            }

            var topic = trigger.GetProperty("topicName").GetString()!;
            var subscription = trigger.GetProperty("subscriptionName").GetString()!;
            var declared = EmulatorConfig.Subscriptions(topic)[subscription];
            var topicSettings = EmulatorConfig.Topics[topic].GetProperty("Properties");
            entities.Add(new BrokerEntity(
                $"{topic}/Subscriptions/{subscription}",
                topic,
                subscription,
                function.Name,
                FilterOf(declared),
                MaxDeliveryCount(declared.GetProperty("Properties")),
                Window(topicSettings)));
        }

        var windows = EmulatorConfig.Queues.ToDictionary(q => q.Key, q => Window(q.Value.GetProperty("Properties")), StringComparer.Ordinal);
        foreach (var (name, topic) in EmulatorConfig.Topics)
        {
            windows[name] = Window(topic.GetProperty("Properties"));
        }

        return new BrokerTopology(entities, EmulatorConfig.Topics.Keys.ToHashSet(StringComparer.Ordinal), windows);
    }

    /// <summary>All rules of a subscription, OR-ed, as Service Bus applies them; a subscription without rules takes everything.</summary>
    private static SqlFilter FilterOf(JsonElement subscription)
    {
        if (!subscription.TryGetProperty("Rules", out var rules) || rules.GetArrayLength() == 0)
        {
            return SqlFilter.TrueFilter;
        }

        var expressions = rules.EnumerateArray().Select(rule =>
        {
            var properties = rule.GetProperty("Properties");
            var type = properties.GetProperty("FilterType").GetString();
            return type == "Sql"
                ? properties.GetProperty("SqlFilter").GetProperty("SqlExpression").GetString()!
                : throw new NotSupportedException($"Rule {rule.GetProperty("Name")} has a {type} filter, which the harness does not model.");
        });
        return SqlFilter.Parse(string.Join(" OR ", expressions.Select(e => $"({e})")));
    }

    private static int MaxDeliveryCount(JsonElement properties) => properties.GetProperty("MaxDeliveryCount").GetInt32();

    private static TimeSpan Window(JsonElement properties) =>
        properties.TryGetProperty("DuplicateDetectionHistoryTimeWindow", out var window)
            ? XmlConvert.ToTimeSpan(window.GetString()!)
            : TimeSpan.Zero;
}
