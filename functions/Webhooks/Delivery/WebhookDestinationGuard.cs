using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Shop.Functions.Webhooks.Delivery;

/// <summary>
/// The SSRF guard. <see cref="CheckAsync"/> vets a URL when it is registered; <see cref="ConnectAsync"/> is the
/// sending handler's ConnectCallback and vets the addresses again when a connection is opened, then connects to
/// those very addresses, so a name that resolves elsewhere by then (DNS rebinding) gains nothing.
/// </summary>
public sealed partial class WebhookDestinationGuard
{
    private readonly IWebhookHostResolver _resolver;
    private readonly IOptions<WebhookOptions> _options;
    private readonly ILogger<WebhookDestinationGuard> _logger;

    public WebhookDestinationGuard(IWebhookHostResolver resolver, IOptions<WebhookOptions> options, ILogger<WebhookDestinationGuard> logger)
    {
        _resolver = resolver;
        _options = options;
        _logger = logger;
    }

    private bool AllowLoopback => _options.Value.AllowLoopback;

    /// <summary>For registration: the URL's form, then every address its host resolves to. Refused when resolution fails.</summary>
    public async Task<DestinationCheck> CheckAsync(Uri url, CancellationToken ct)
    {
        var problem = CheckUrl(url);
        if (problem is not null)
        {
            return DestinationCheck.Refused(problem);
        }

        var host = HostOf(url.IdnHost);
        IPAddress[] addresses;
        try
        {
            addresses = await ResolveAsync(host, ct);
        }
        catch (SocketException)
        {
            return DestinationCheck.Refused($"The host '{host}' does not resolve.");
        }

        var forbidden = FirstForbidden(addresses);
        return forbidden is null
            ? DestinationCheck.Allowed
            : DestinationCheck.Refused($"The host '{host}' resolves to {forbidden.Value.Address}, which is {forbidden.Value.Reason}; webhooks go to public addresses only.");
    }

    /// <summary>Whether a webhook may connect to <paramref name="address"/> under the current options.</summary>
    public bool IsAllowed(IPAddress address) => WebhookAddressPolicy.IsAllowed(address, AllowLoopback);

    /// <summary>The checks that need no DNS: absolute http(s) URL (https only when required), a host, no user info. Null when fine.</summary>
    public string? CheckUrl(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri)
        {
            return "The webhook URL must be absolute.";
        }

        var requireHttps = _options.Value.RequireHttps;
        if (url.Scheme != Uri.UriSchemeHttps && (requireHttps || url.Scheme != Uri.UriSchemeHttp))
        {
            return requireHttps ? "The webhook URL must use https." : "The webhook URL must use http or https.";
        }

        if (!string.IsNullOrEmpty(url.UserInfo))
        {
            return "The webhook URL must not contain user info.";
        }

        return string.IsNullOrEmpty(url.Host) ? "The webhook URL must name a host." : null;
    }

    /// <summary>
    /// The <see cref="SocketsHttpHandler.ConnectCallback"/>: resolves the host, refuses (throws
    /// <see cref="WebhookDestinationRefusedException"/>) if any address is forbidden, else connects to the checked
    /// addresses in turn. Nothing is sent to a forbidden address, not even a SYN.
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var host = HostOf(context.DnsEndPoint.Host);
        var addresses = await ResolveAsync(host, ct);
        var forbidden = FirstForbidden(addresses);
        if (forbidden is not null)
        {
            LogRefusedAtConnect(host, forbidden.Value.Address.ToString(), forbidden.Value.Reason);
            throw new WebhookDestinationRefusedException(
                $"Refused to connect to '{host}': it resolves to {forbidden.Value.Address}, which is {forbidden.Value.Reason}.");
        }

        SocketException? last = null;
        foreach (var address in addresses)
        {
            var target = WebhookAddressPolicy.Normalize(address);
            var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(target, context.DnsEndPoint.Port), ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                last = ex;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw last!;
    }

    private async Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct)
    {
        if (IPAddress.TryParse(host, out var literal))
        {
            return [literal];
        }

        var addresses = await _resolver.ResolveAsync(host, ct);
        return addresses.Length > 0 ? addresses : throw new SocketException((int)SocketError.HostNotFound);
    }

    private (IPAddress Address, string Reason)? FirstForbidden(IPAddress[] addresses)
    {
        foreach (var address in addresses)
        {
            var reason = WebhookAddressPolicy.WhyForbidden(address, AllowLoopback);
            if (reason is not null)
            {
                return (address, reason);
            }
        }

        return null;
    }

    // Uri and DnsEndPoint may keep an IPv6 literal in brackets.
    private static string HostOf(string host) => host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused to connect to webhook host {Host}: it resolves to {Address}, which is {Reason}")]
    private partial void LogRefusedAtConnect(string host, string address, string reason);
}
