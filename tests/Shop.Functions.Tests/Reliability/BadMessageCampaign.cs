using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Moq;
using Shop.Functions.Orders.Events;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Tests.Webhooks;
using Shop.Functions.Tests.Webhooks.Delivery;
using Shop.Functions.Webhooks.Delivery;
using Shop.Functions.Webhooks.Registration;
using Xunit;
using Xunit.Abstractions;

namespace Shop.Functions.Tests.Reliability;

/// <summary>
/// Issue 9, bad messages: every Service Bus consumer in functions.metadata gets malformed bodies, wrong Subjects,
/// missing fields, wrong types, huge bodies, ids with traversal and valid JSON that can never succeed. Each must be
/// dead-lettered at once with its documented reason and a description: never completed, abandoned, retried or thrown,
/// and with no effect (no row or blob written, nothing sent, nothing asked of the task hub).
/// </summary>
[Collection(FaultRunStorage.Name)]
[Trait("Category", "Slow")]
public sealed class BadMessageCampaign(AzuriteFixture azurite, ITestOutputHelper output) : IAsyncLifetime
{
    private readonly Mock<DurableTaskClient> _taskHub = new(MockBehavior.Strict, "campaign");
    private ShopTestServices _shop = null!;
    private string _subscriptionId = null!;

    public async Task InitializeAsync()
    {
        // A webhook that wants every event, so that a fan-out or delivery that should not happen has something to do.
        var resolver = new ScriptedHostResolver().Answer(HttpFunctionProfile.WebhookHost, "93.184.215.15");
        _shop = await ShopTestServices.StartAsync(
            azurite.ConnectionString,
            new Dictionary<string, string?> { ["Webhooks:Timeout"] = "00:00:01", ["Webhooks:RetryDelay"] = "00:00:00.010", ["Webhooks:RetryMaxDelay"] = "00:00:00.020" },
            services => services.Replace(ServiceDescriptor.Singleton<IWebhookHostResolver>(resolver)));
        (_subscriptionId, _) = await WebhookTests.RegisterAsync(_shop, $"https://{HttpFunctionProfile.WebhookHost}/in", "*");
    }

    public async Task DisposeAsync()
    {
        await _shop.Get<WebhookSubscriptionStore>().DeleteAsync(_subscriptionId, CancellationToken.None);
        await _shop.DisposeAsync();
    }

    [Fact]
    public async Task DeadLettersEveryBadMessageWithItsReasonAndNoEffect()
    {
        var consumers = FunctionsMetadata.All.Where(f => f.Trigger.GetProperty("type").GetString() == "serviceBusTrigger").Select(f => f.Name).ToList();
        var profiles = ConsumerProfile.For(_subscriptionId);
        Assert.All(consumers, name => Assert.True(profiles.ContainsKey(name), $"Consumer {name} has no ConsumerProfile: say how the campaign attacks it."));
        var messages = consumers
            .SelectMany(name => profiles[name].Generate(OtherSubjects(profiles, name)))
            .ToList();
        var before = await StorageSnapshot.TakeAsync(azurite.ConnectionString);
        var sentBefore = _shop.Sender.Sent.Count;

        var failures = new List<string>();
        foreach (var bad in messages)
        {
            if (await ConsumeAsync(bad) is { } problem)
            {
                failures.Add($"{bad}: {problem}");
            }
        }

        var changes = (await StorageSnapshot.TakeAsync(azurite.ConnectionString)).ChangesSince(before);
        Report(messages);
        failures.ForEach(output.WriteLine);
        Assert.True(failures.Count == 0, $"{failures.Count} of {messages.Count} messages were handled wrongly:\n{string.Join('\n', failures.Take(40))}");
        Assert.Empty(changes);
        Assert.Equal(sentBefore, _shop.Sender.Sent.Count);
        _taskHub.VerifyNoOtherCalls();
    }

    /// <summary>What went wrong with the message's settlement, or null when it was dead-lettered as it should be.</summary>
    private async Task<string?> ConsumeAsync(BadMessage bad)
    {
        var message = ServiceBusMessages.Received(BinaryData.FromBytes(bad.Body), bad.Subject, messageId: $"campaign-{Guid.NewGuid():N}");
        var actions = new Mock<ServiceBusMessageActions>();
        string? reason = null;
        string? description = null;
        actions.Setup(a => a.DeadLetterMessageAsync(message, It.IsAny<Dictionary<string, object>?>(), It.IsAny<string?>(), It.IsAny<string?>(), It.IsAny<CancellationToken>()))
            .Callback((ServiceBusReceivedMessage _, Dictionary<string, object>? _, string? r, string? d, CancellationToken _) => (reason, description) = (r, d))
            .Returns(Task.CompletedTask);
        var sent = _shop.Sender.Sent.Count;
        var changesBefore = bad.Consumer == "DeliverWebhook" || bad.Consumer == "OrderCompleted"
            ? await StorageSnapshot.TakeAsync(azurite.ConnectionString)
            : null;

        try
        {
            await FunctionMethods.InvokeAsync(_shop, bad.Consumer, new Dictionary<string, string>(), message, actions.Object, _taskHub.Object);
        }
        catch (Exception ex)
        {
            return $"threw {ex.GetType().Name}: {ex.Message}";
        }

        if (_shop.Sender.Sent.Count != sent)
        {
            return $"sent {string.Join(", ", _shop.Sender.Sent.Skip(sent).Select(m => $"{m.MessageId} to {m.Destination}"))}";
        }

        if (changesBefore is not null && (await StorageSnapshot.TakeAsync(azurite.ConnectionString)).ChangesSince(changesBefore) is { Count: > 0 } changes)
        {
            return $"wrote {string.Join(", ", changes)}";
        }

        var settled = string.Join(", ", actions.Invocations.Select(i => i.Method.Name));
        if (reason is null || actions.Invocations.Count != 1)
        {
            return $"settled with {(settled.Length == 0 ? "nothing" : settled)}, not one dead-lettering";
        }

        return reason != bad.Reason ? $"dead-lettered as {reason} ({description}), not {bad.Reason}"
            : string.IsNullOrWhiteSpace(description) ? "dead-lettered without a description"
            : null;
    }

    /// <summary>The Subjects of the other consumers, except order event types, which some event consumers all accept.</summary>
    private static string[] OtherSubjects(IReadOnlyDictionary<string, ConsumerProfile> profiles, string name) =>
        [.. profiles.Values.Select(p => p.Subject).Where(s => s != profiles[name].Subject && !OrderEventTypes.All.Contains(s)).Distinct()];

    private void Report(List<BadMessage> messages)
    {
        output.WriteLine($"Bad-message campaign: {messages.Count} messages to {messages.Select(m => m.Consumer).Distinct().Count()} consumers");
        output.WriteLine($"{"consumer",-26} {"messages",8}  by category");
        foreach (var group in messages.GroupBy(m => m.Consumer).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"{group.Key,-26} {group.Count(),8}  {string.Join(", ", group.GroupBy(m => m.Category).Select(c => $"{c.Key}: {c.Count()}"))}");
        }

        output.WriteLine($"expected reasons: {string.Join(", ", messages.GroupBy(m => m.Reason).Select(g => $"{g.Key}: {g.Count()}"))}");
    }
}
