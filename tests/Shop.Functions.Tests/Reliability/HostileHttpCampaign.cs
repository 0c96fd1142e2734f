using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Moq;
using Shop.Functions.Messaging;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Messaging.DeadLetters;
using Shop.Functions.Orders.SubmitOrder;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Tests.Orders;
using Shop.Functions.Tests.Webhooks;
using Shop.Functions.Tests.Webhooks.Delivery;
using Shop.Functions.Webhooks;
using Shop.Functions.Webhooks.Delivery;
using Shop.Functions.Webhooks.Registration;
using Xunit;
using Xunit.Abstractions;

namespace Shop.Functions.Tests.Reliability;

/// <summary>
/// Issue 9, hostile input: a generated campaign of bad requests to every HTTP function in functions.metadata, called as
/// the host calls them, against the app's own services and a real Azurite, in the production configuration (https
/// only, no loopback webhooks, forwarded headers not trusted). Only 4xx, problem+json without internals, and nothing
/// written: no row, no blob, no message, no call to the task hub or the dead-letter store that changes anything.
/// </summary>
[Collection(AzuriteCollection.Name)]
[Trait("Category", "Slow")]
public sealed partial class HostileHttpCampaign(AzuriteFixture azurite, ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>The campaign's seed: change it to explore, keep it to reproduce.</summary>
    public const int Seed = 9_2031;

    private readonly Mock<IDeadLetterStore> _deadLetters = new();
    private readonly Mock<DurableTaskClient> _taskHub = new(MockBehavior.Strict, "campaign");
    private ShopTestServices _shop = null!;
    private KnownIds _known = null!;

    public async Task InitializeAsync()
    {
        _deadLetters.Setup(store => store.PeekAsync(It.IsAny<ConsumerEntity>(), It.IsAny<long?>(), It.IsAny<int>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync([]);
        _deadLetters.Setup(store => store.ReplayAsync(It.IsAny<ConsumerEntity>(), It.IsAny<long>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(ReplayResult.NotFound);
        var resolver = new ScriptedHostResolver().Answer(HttpFunctionProfile.WebhookHost, "93.184.215.14");
        _shop = await ShopTestServices.StartAsync(azurite.ConnectionString, configure: services =>
        {
            services.Replace(ServiceDescriptor.Singleton<IWebhookHostResolver>(resolver));
            services.Replace(ServiceDescriptor.Singleton(_deadLetters.Object));
        });

        // Something real to aim at: an order and a webhook that exist, so an attack on one part meets valid others.
        var submit = HttpTest.Request("POST", "/api/orders", OrderRequests.ValidJson());
        var order = await HttpTest.RunAsync(submit, await _shop.Function<SubmitOrderFunction>().SubmitOrder(submit, CancellationToken.None));
        var (webhookId, _) = await WebhookTests.RegisterAsync(_shop, HttpFunctionProfile.ValidRegistration()["url"]!.GetValue<string>(), "*");
        var orderId = order.Json().GetProperty("orderId").GetString()!;
        // The submit's send and its outbox pointer delete run behind the 202 (the delete batched for up to a second):
        // let them finish, so that the campaign's "writes nothing" compares against settled storage.
        await _shop.Get<OutboxRelay>().DrainAsync();
        _known = new KnownIds(orderId, webhookId, WebhookIds.DeliveryId(webhookId, $"OrderAccepted:{orderId}:1", DateTimeOffset.UnixEpoch));
    }

    public async Task DisposeAsync()
    {
        await _shop.Get<WebhookSubscriptionStore>().DeleteAsync(_known.WebhookId, CancellationToken.None);
        await _shop.DisposeAsync();
    }

    [Fact]
    public async Task AnswersOnly4xxAndWritesNothingGivenAThousandHostileRequests()
    {
        var requests = new HostileRequestGenerator(_known, Seed).Generate().ToList();
        Assert.True(requests.Count >= 1_000, $"The campaign has only {requests.Count} requests.");
        Assert.Equal(FunctionsMetadata.Http.Select(f => f.Name).Order(), requests.Select(r => r.Function).Distinct().Order());
        var sentBefore = _shop.Sender.Sent.Count;
        var before = await StorageSnapshot.TakeAsync(azurite.ConnectionString);

        var results = new List<(HostileRequest Request, int Status)>();
        var failures = new List<string>();
        foreach (var hostile in requests)
        {
            var (status, problem) = await RunAsync(hostile);
            results.Add((hostile, status));
            if (problem is not null)
            {
                failures.Add($"{hostile} -> {status}: {problem}");
            }
        }

        var after = await StorageSnapshot.TakeAsync(azurite.ConnectionString);
        Report(results, before);
        failures.ForEach(output.WriteLine);
        Assert.True(failures.Count == 0, $"{failures.Count} of {requests.Count} requests were answered wrongly:\n{string.Join('\n', failures.Take(60))}");
        Assert.Empty(after.ChangesSince(before));
        Assert.Equal(sentBefore, _shop.Sender.Sent.Count);
        _taskHub.VerifyNoOtherCalls();
        _deadLetters.Verify(store => store.ReplayAsync(It.IsAny<ConsumerEntity>(), It.IsAny<long>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    private async Task<(int Status, string? Problem)> RunAsync(HostileRequest hostile)
    {
        var request = hostile.Build();
        TestResponse response;
        try
        {
            var result = await FunctionMethods.InvokeAsync(_shop, hostile.Function, hostile.RouteValues, request, _taskHub.Object);
            response = await HttpTest.RunAsync(request, (IActionResult)result!);
        }
        catch (Exception ex)
        {
            return (-1, $"an exception escaped: {ex.GetType().Name}: {ex.Message}");
        }

        return (response.Status, Judge(hostile, response));
    }

    /// <summary>What is wrong with the answer, or null.</summary>
    private static string? Judge(HostileRequest hostile, TestResponse response)
    {
        var status = response.Status;
        if (status >= 500)
        {
            return "a server error";
        }

        if (hostile.MustReject ? status is < 400 or > 499 : status is < 200 or > 499)
        {
            return hostile.MustReject ? "accepted a request that must be refused" : "an unexpected status";
        }

        var everything = response.Body + string.Concat(response.Headers.Select(h => $"{h.Key}:{h.Value}"));
        if (everything.Contains(HostileRequestGenerator.InjectedHost, StringComparison.OrdinalIgnoreCase))
        {
            return "the injected X-Forwarded-Host is in the answer";
        }

        return status >= 400 ? JudgeProblem(status, response) : null;
    }

    private static string? JudgeProblem(int status, TestResponse response)
    {
        if (response.Header("Content-Type") != "application/problem+json")
        {
            return $"Content-Type {response.Header("Content-Type")}, not application/problem+json";
        }

        try
        {
            var problem = response.Json();
            if (problem.GetProperty("status").GetInt32() != status
                || string.IsNullOrEmpty(problem.GetProperty("type").GetString())
                || string.IsNullOrEmpty(problem.GetProperty("title").GetString())
                || string.IsNullOrEmpty(problem.GetProperty("traceId").GetString()))
            {
                return "the problem lacks status, type, title or traceId";
            }
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return $"the problem is not a JSON problem document: {ex.Message}";
        }

        return Internals().Match(response.Body) is { Success: true } leak ? $"the problem shows internals: '{leak.Value}'" : null;
    }

    private void Report(List<(HostileRequest Request, int Status)> results, StorageSnapshot before)
    {
        output.WriteLine($"Hostile HTTP campaign, seed {Seed}: {results.Count} requests to {results.Select(r => r.Request.Function).Distinct().Count()} functions; " +
            $"storage before: {before.Rows} rows, {before.Blobs} blobs");
        output.WriteLine($"{"category",-16} {"requests",8}  statuses");
        foreach (var group in results.GroupBy(r => r.Request.Category).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"{group.Key,-16} {group.Count(),8}  {Statuses(group)}");
        }

        output.WriteLine($"{"all",-16} {results.Count,8}  {Statuses(results)}");
        output.WriteLine(string.Empty);
        output.WriteLine($"{"function",-24} {"requests",8}  statuses");
        foreach (var group in results.GroupBy(r => r.Request.Function).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"{group.Key,-24} {group.Count(),8}  {Statuses(group)}");
        }

        static string Statuses(IEnumerable<(HostileRequest Request, int Status)> group) =>
            string.Join(", ", group.GroupBy(r => r.Status).OrderBy(g => g.Key).Select(g => $"{(g.Key < 0 ? "exception" : g.Key)}: {g.Count()}"));
    }

    // Exception type names, stack frames and namespaces of the runtime or SDKs.
    [GeneratedRegex(@"\b\w+Exception\b|\bat [\w.`<>]+\(|\bSystem\.\w|\bAzure\.\w|\bMicrosoft\.\w|\bShop\.Functions\b")]
    private static partial Regex Internals();
}
