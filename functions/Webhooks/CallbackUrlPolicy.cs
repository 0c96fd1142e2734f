using System.Net;
using Shop.Functions.Webhooks.Delivery;

namespace Shop.Functions.Webhooks;

/// <summary>
/// What an order's <c>callbackUrl</c> must satisfy beyond its shape, at intake: https outside development, and not an
/// address the SSRF guard refuses when the host is written as an IP address or is <c>localhost</c>. Host names are
/// not resolved here (intake answers without DNS); every delivery checks the address it connects to.
/// </summary>
public sealed class CallbackUrlPolicy(WebhookDestinationGuard guard)
{
    /// <summary>Null when acceptable; otherwise what is wrong. Call after the shape check.</summary>
    public string? Problem(string? callbackUrl)
    {
        if (callbackUrl is null || !Uri.TryCreate(callbackUrl, UriKind.Absolute, out var url))
        {
            return null;
        }

        if (guard.CheckUrl(url) is { } problem)
        {
            return problem.Replace("webhook URL", "callback URL", StringComparison.Ordinal);
        }

        var addresses = url.HostNameType switch
        {
            UriHostNameType.IPv4 or UriHostNameType.IPv6 => [IPAddress.Parse(url.IdnHost)],
            _ when url.IsLoopback => [IPAddress.Loopback],
            _ => Array.Empty<IPAddress>(),
        };
        return addresses.All(guard.IsAllowed) ? null : "The callback URL points to an address that is not allowed (loopback, private, link-local or metadata).";
    }
}
