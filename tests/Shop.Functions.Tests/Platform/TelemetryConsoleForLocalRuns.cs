using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Shop.Functions.Fulfillment;
using Shop.Functions.Orders;
using Shop.Functions.Platform;
using Shop.Functions.Tests.EndToEnd;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Platform;

/// <summary>
/// Under <c>func start</c> (telemetryMode OpenTelemetry, no Application Insights) the host relays none of the worker's
/// logs: the app's own logging must write to the console. Checked with the settings a local run uses
/// (local.settings.sample.json). In the non-parallel collection: it redirects the process's console.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class TelemetryConsoleForLocalRuns
{
    [Fact]
    public void AnAppLogLineReachesTheConsoleWithTheLocalRunSettings()
    {
        var output = CaptureConsole(LocalSettings(), logger => logger.LogInformation("Order {OrderId}: OrderAccepted recorded as sequence {Sequence}", "ord_local_test", 2));

        Assert.Contains("Order ord_local_test: OrderAccepted recorded as sequence 2", output, StringComparison.Ordinal);
        Assert.Contains(typeof(OrderProgress).FullName!, output, StringComparison.Ordinal);
    }

    [Fact]
    public void NothingGoesToTheConsoleOnceApplicationInsightsIsConfigured()
    {
        var settings = new Dictionary<string, string?>(LocalSettings()) { [Telemetry.AppInsightsSetting] = "InstrumentationKey=00000000-0000-0000-0000-000000000000" };

        var output = CaptureConsole(settings, logger => logger.LogInformation("Order {OrderId} accepted", "ord_azure_test"));

        Assert.DoesNotContain("ord_azure_test", output, StringComparison.Ordinal);
    }

    private static Dictionary<string, string?> LocalSettings()
    {
        using var file = JsonDocument.Parse(File.ReadAllText(TestPaths.InRepository("local.settings.sample.json")));
        return file.RootElement.GetProperty("Values").EnumerateObject().ToDictionary(p => p.Name, p => (string?)p.Value.GetString());
    }

    private static string CaptureConsole(IDictionary<string, string?> settings, Action<ILogger> write)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var original = Console.Out;
        using var captured = new StringWriter();
        Console.SetOut(captured);
        try
        {
            using (var services = new ServiceCollection().AddLogging(logging => logging.AddShopConsoleForLocalRuns(configuration)).BuildServiceProvider())
            {
                write(services.GetRequiredService<ILogger<OrderProgress>>());
            }

            // Disposing the provider flushes the console logger's queue.
            return captured.ToString();
        }
        finally
        {
            Console.SetOut(original);
        }
    }
}
