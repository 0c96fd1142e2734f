using System.Net;

namespace Shop.Functions.Webhooks.Delivery;

/// <summary>Resolves a host name to its addresses. A seam so tests can make a name resolve to any address.</summary>
public interface IWebhookHostResolver
{
    /// <summary>Throws <see cref="System.Net.Sockets.SocketException"/> when the name does not resolve.</summary>
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);
}

/// <summary>The system resolver.</summary>
public sealed class DnsWebhookHostResolver : IWebhookHostResolver
{
    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        Dns.GetHostAddressesAsync(host, cancellationToken);
}
