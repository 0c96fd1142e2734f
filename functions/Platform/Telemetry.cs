using Azure.Core;
using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Shop.Functions.Platform;

public static class Telemetry
{
    public const string AppInsightsSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary>How the Functions host authenticates to Application Insights; the worker's exporter follows it.</summary>
    public const string AppInsightsAuthenticationSetting = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    /// <summary>The HttpClient's own meter (.NET 8+: request duration, open connections).</summary>
    public const string HttpClientMeter = "System.Net.Http";

    /// <summary>Polly's meter (Polly.Extensions): every pipeline execution and strategy event.</summary>
    public const string PollyMeter = "Polly";

    /// <summary>
    /// OpenTelemetry logs, traces and metrics, with log scopes (the order id) on every record; exported to
    /// Application Insights when its connection string is set. Without one (local runs, <c>func start</c>) the app's
    /// logs go to the console too: with <c>telemetryMode: OpenTelemetry</c> the host no longer relays them.
    /// </summary>
    public static FunctionsApplicationBuilder AddShopTelemetry(this FunctionsApplicationBuilder builder)
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeScopes = true;
            logging.IncludeFormattedMessage = true;
        });
        builder.Logging.AddShopConsoleForLocalRuns(builder.Configuration);

        var otel = builder.Services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddShopTracing())
            .WithMetrics(metrics => metrics.AddShopMetrics());
        otel.UseFunctionsWorkerDefaults();

        if (!string.IsNullOrEmpty(builder.Configuration[AppInsightsSetting]))
        {
            var credential = CredentialFor(builder.Configuration[AppInsightsAuthenticationSetting]);
            otel.UseAzureMonitorExporter(exporter => exporter.Credential = credential);
        }

        return builder;
    }

    /// <summary>A console logger (one line per record, with scopes) unless Application Insights is configured.</summary>
    public static ILoggingBuilder AddShopConsoleForLocalRuns(this ILoggingBuilder logging, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (string.IsNullOrEmpty(configuration[AppInsightsSetting]))
        {
            logging.AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.IncludeScopes = true;
                console.TimestampFormat = "HH:mm:ss.fff ";
            });
        }

        return logging;
    }

    /// <summary>The Durable Task SDK's spans (<c>create_orchestration</c>, <c>orchestration</c>, <c>activity</c>).</summary>
    public const string DurableTaskSource = "Microsoft.DurableTask";

    /// <summary>
    /// Spans of the Azure SDK, of the saga (<see cref="DurableTaskSource"/>: the client's <c>create_orchestration</c> is
    /// a child of the PlaceOrder consumer's span and carries its trace context into the orchestration and each activity,
    /// so what an activity sends is in the submit's trace; with host.json's <c>durableTask.tracing</c> V2 the Functions
    /// host does the same in Azure) and of every outbound HTTP call (webhooks, providers), children of the function's
    /// span. An HTTP span names the scheme, host and port only: a webhook's path and query often hold its token.
    /// </summary>
    public static TracerProviderBuilder AddShopTracing(this TracerProviderBuilder tracing) =>
        tracing
            .AddSource("Azure.*", Messaging.MessageTrace.SourceName, DurableTaskSource)
            .AddHttpClientInstrumentation(http =>
            {
                http.EnrichWithHttpRequestMessage = (activity, request) =>
                {
                    if (request.RequestUri is { IsAbsoluteUri: true } url)
                    {
                        activity.SetTag("url.full", url.GetLeftPart(UriPartial.Authority) + "/");
                        activity.SetTag("url.path", null);
                        activity.SetTag("url.query", null);
                    }
                };
            });

    /// <summary>The app's instruments (<see cref="ShopMetrics"/>), Polly's and the HttpClient's.</summary>
    public static MeterProviderBuilder AddShopMetrics(this MeterProviderBuilder metrics) =>
        metrics.AddMeter(ShopMetrics.MeterName, PollyMeter, HttpClientMeter);

    /// <summary>
    /// A managed identity credential when the authentication string asks for Entra ID (<c>Authorization=AAD</c>, with
    /// <c>ClientId=</c> for a user-assigned identity), so Application Insights can refuse instrumentation-key ingestion;
    /// null (the connection string's key) otherwise.
    /// </summary>
    public static TokenCredential? CredentialFor(string? authenticationString)
    {
        var parts = (authenticationString ?? string.Empty)
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.OrdinalIgnoreCase);
        if (!parts.TryGetValue("Authorization", out var authorization) || !authorization.Equals("AAD", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return parts.TryGetValue("ClientId", out var clientId) && clientId.Length > 0
            ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned);
    }
}
