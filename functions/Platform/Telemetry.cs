using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Trace;

namespace Shop.Functions.Platform;

public static class Telemetry
{
    public const string AppInsightsSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary>
    /// OpenTelemetry logs and traces, with log scopes (the order id) on every record; exported to
    /// Application Insights when its connection string is set.
    /// </summary>
    public static FunctionsApplicationBuilder AddShopTelemetry(this FunctionsApplicationBuilder builder)
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeScopes = true;
            logging.IncludeFormattedMessage = true;
        });

        var otel = builder.Services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddSource("Azure.*"));
        otel.UseFunctionsWorkerDefaults();

        if (!string.IsNullOrEmpty(builder.Configuration[AppInsightsSetting]))
        {
            otel.UseAzureMonitorExporter();
        }

        return builder;
    }
}
