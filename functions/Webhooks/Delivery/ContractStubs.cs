// TEMPORARY: the contract of the HTTP sender being built on branch issue-5-delivery. Deleted when it merges.
using System.Net;
using Microsoft.Extensions.DependencyInjection;

namespace Shop.Functions.Webhooks.Delivery;

public sealed record WebhookPost(Uri Url, string WebhookId, DateTimeOffset Timestamp, string Body, IReadOnlyList<string> Secrets);

public enum WebhookPostStatus { Delivered, Failed, Gone, Refused, Deferred }

public sealed record WebhookAttempt(DateTimeOffset StartedAt, TimeSpan Duration, int? StatusCode, string? Error);

public sealed record WebhookPostResult(WebhookPostStatus Status, IReadOnlyList<WebhookAttempt> Attempts, string? Error);

public interface IWebhookSender
{
    Task<WebhookPostResult> PostAsync(WebhookPost post, CancellationToken cancellationToken);
}

public sealed record DestinationCheck(bool Allowed, string? Reason);

public static class WebhookSignatures
{
    public static string GenerateSecret() => "whsec_" + Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
}

public sealed class WebhookDeliveryOptions
{
    public const string SectionName = "Webhooks";

    public bool AllowLoopback { get; set; }

    public bool RequireHttps { get; set; } = true;
}

public sealed class WebhookDestinationGuard
{
    public Task<DestinationCheck> CheckAsync(Uri url, CancellationToken cancellationToken) => Task.FromResult(new DestinationCheck(true, null));

    public bool IsAllowed(IPAddress address) => !IPAddress.IsLoopback(address);
}

public static class WebhookDeliveryServiceCollectionExtensions
{
    public static IServiceCollection AddWebhookDelivery(this IServiceCollection services)
    {
        services.AddOptions<WebhookDeliveryOptions>().BindConfiguration(WebhookDeliveryOptions.SectionName);
        services.AddSingleton<WebhookDestinationGuard>();
        services.AddSingleton<IWebhookSender, NotYetSender>();
        return services;
    }
}

internal sealed class NotYetSender : IWebhookSender
{
    public Task<WebhookPostResult> PostAsync(WebhookPost post, CancellationToken cancellationToken) => throw new NotSupportedException();
}
