using Azure.Core;
using Azure.Identity;
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

    /// <summary>How the Functions host authenticates to Application Insights; the worker's exporter follows it.</summary>
    public const string AppInsightsAuthenticationSetting = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

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
            var credential = CredentialFor(builder.Configuration[AppInsightsAuthenticationSetting]);
            otel.UseAzureMonitorExporter(exporter => exporter.Credential = credential);
        }

        return builder;
    }

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
