using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Runtime.InteropServices;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Shop.Functions.Tests.Payments;
using Shop.Functions.Tests.Webhooks;
using Xunit;

namespace Shop.Functions.Tests.Infrastructure;

/// <summary>Alone: while it runs, no inotify instance is left for anything else of this user.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
[SuppressMessage("Naming", "CA1711", Justification = "xunit's name for this is a collection definition.")]
public sealed class InotifyExhaustedCollection
{
    public const string Name = "inotify exhausted";
}

/// <summary>
/// The suite passes on a machine whose per-user inotify instances (often 128) are all taken by other processes:
/// every kind of host the tests start (the Durable test engine's sidecar, Kestrel for the webhook receiver, WireMock
/// for the Stripe stand-in) starts and serves without one, because <see cref="NoFileWatchers"/> turns off
/// configuration reload and polls where a file provider is still asked to watch. Without it, each host takes one or
/// two instances for its appsettings files and fails to start when none is left.
/// </summary>
[Collection(InotifyExhaustedCollection.Name)]
public sealed class TestHostsGivenNoInotifyInstanceLeft
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task StartAndServeGivenEveryInotifyInstanceHeld()
    {
        Assert.True(OperatingSystem.IsLinux(), "inotify is Linux's; the suite runs on Linux (CI, the dev container).");
        using var timeout = new CancellationTokenSource(Patience);

        using (var held = InotifyInstances.HoldAll())
        {
            Assert.True(held.Count > 0, "the test should hold at least one inotify instance");
            await using var durable = await DurableTaskTestHost.StartAsync(registry => registry
                .AddOrchestratorFunc<string, string>("Shout", (context, input) => context.CallActivityAsync<string>("Upper", input))
                .AddActivityFunc<string, string>("Upper", (_, input) => input.ToUpperInvariant()));
            var id = await durable.Client.ScheduleNewOrchestrationInstanceAsync("Shout", "shop", timeout.Token);
            var done = await durable.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, timeout.Token);
            Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
            Assert.Equal("SHOP", done.ReadOutputAs<string>());
        }

        using (InotifyInstances.HoldAll())
        {
            await using var receiver = await WebhookReceiver.StartAsync(ReceiverReply.Status(204));
            using var http = new HttpClient();
            using var answer = await http.PostAsync(receiver.Url, new StringContent("{}"), timeout.Token);
            Assert.Equal(HttpStatusCode.NoContent, answer.StatusCode);
        }

        using (InotifyInstances.HoldAll())
        {
            using var stripe = new StripeStandIn();
            using var http = new HttpClient();
            using var answer = await http.GetAsync(new Uri(new Uri(stripe.Url), "/v1/payment_intents/pi_missing"), timeout.Token);
            Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
        }
    }
}

/// <summary>Takes inotify instances until the kernel refuses one (EMFILE: the per-user limit), and gives them back.</summary>
internal sealed class InotifyInstances : IDisposable
{
    private const int CloseOnExec = 0x80000; // IN_CLOEXEC
    private readonly List<int> _descriptors;

    private InotifyInstances(List<int> descriptors) => _descriptors = descriptors;

    public int Count => _descriptors.Count;

    public static InotifyInstances HoldAll()
    {
        var descriptors = new List<int>();
        // A bound, in case a kernel has no such limit: far above the usual 128 (or 8,192 where raised).
        while (descriptors.Count < 65_536)
        {
            var descriptor = InotifyInit1(CloseOnExec);
            if (descriptor < 0)
            {
                break;
            }

            descriptors.Add(descriptor);
        }

        return new InotifyInstances(descriptors);
    }

    public void Dispose()
    {
        foreach (var descriptor in _descriptors)
        {
            _ = Close(descriptor);
        }

        _descriptors.Clear();
    }

    // DllImport, not LibraryImport: both signatures are blittable, and LibraryImport would need unsafe code.
    [DllImport("libc", EntryPoint = "inotify_init1", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int InotifyInit1(int flags);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Close(int descriptor);
}
