using System.Globalization;
using System.Net.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Shop.Functions.Webhooks.Delivery;

/// <summary>
/// The CloudEvents webhook validation handshake ("HTTP 1.1 Web Hooks for Event Delivery", section 4): an OPTIONS
/// request to the exact URL with <c>WebHook-Request-Origin</c>; the endpoint consents with a 2xx that carries
/// <c>WebHook-Allowed-Origin</c> naming that origin or <c>*</c>. One attempt, on the senders' HttpClient: the SSRF
/// guard at connect time, no redirects, no proxy, <see cref="WebhookOptions.Timeout"/>. The asynchronous
/// variant (<c>WebHook-Request-Callback</c>) is not offered.
/// </summary>
public sealed partial class WebhookHandshake
{
    public const string RequestOriginHeader = "WebHook-Request-Origin";
    public const string RequestRateHeader = "WebHook-Request-Rate";
    public const string AllowedOriginHeader = "WebHook-Allowed-Origin";
    public const string AllowedRateHeader = "WebHook-Allowed-Rate";

    private readonly HttpClient _http;
    private readonly IOptions<WebhookOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<WebhookHandshake> _logger;

    public WebhookHandshake(HttpClient http, IOptions<WebhookOptions> options, TimeProvider time, ILogger<WebhookHandshake> logger)
    {
        _http = http;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>Whether registration asks for consent (<see cref="WebhookOptions.ValidationHandshake"/>).</summary>
    public bool IsRequired => _options.Value.ValidationHandshake;

    /// <summary>Asks <paramref name="url"/> for consent. Never throws for what the endpoint does; only when <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task<WebhookHandshakeResult> ConfirmAsync(Uri url, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        var options = _options.Value;
        var origin = options.RequestOrigin ?? WebhookOptions.DefaultRequestOrigin;
        using var timeout = new CancellationTokenSource(options.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var request = new HttpRequestMessage(HttpMethod.Options, url);
        request.Headers.TryAddWithoutValidation(RequestOriginHeader, origin);
        if (options.RequestRate is { } rate)
        {
            request.Headers.TryAddWithoutValidation(RequestRateHeader, rate.ToString(CultureInfo.InvariantCulture));
        }

        WebhookHandshakeResult result;
        try
        {
            // The body is never read: disposing the response drops the connection (the handler drains nothing).
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            result = Judge(response, origin);
        }
        catch (Exception ex) when (WebhookDestinationRefusedException.FindIn(ex) is { } refused)
        {
            result = WebhookHandshakeResult.NotConfirmed(refused.Message);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            result = WebhookHandshakeResult.NotConfirmed(
                $"The OPTIONS request timed out after {options.Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s.");
        }
        catch (HttpRequestException ex)
        {
            var reason = ex.InnerException is { } inner ? $"{ex.Message} ({inner.Message})" : ex.Message;
            result = WebhookHandshakeResult.NotConfirmed($"The OPTIONS request failed: {reason}");
        }

        if (result.IsConfirmed)
        {
            LogConfirmed(url.Host, origin, result.AllowedRate ?? "(none)");
        }
        else
        {
            LogNotConfirmed(url.Host, result.Problem);
        }

        return result;
    }

    private static WebhookHandshakeResult Judge(HttpResponseMessage response, string origin)
    {
        var status = (int)response.StatusCode;
        if (status is < 200 or > 299)
        {
            return WebhookHandshakeResult.NotConfirmed(
                $"The endpoint answered the OPTIONS request with HTTP {status.ToString(CultureInfo.InvariantCulture)}; consent is a 2xx with {AllowedOriginHeader}.");
        }

        if (!response.Headers.TryGetValues(AllowedOriginHeader, out var origins))
        {
            return WebhookHandshakeResult.NotConfirmed(
                $"The endpoint's answer to the OPTIONS request has no {AllowedOriginHeader} header; it must name '{origin}' or '*'.");
        }

        var allowed = string.Join(',', origins).Trim();
        if (allowed != "*" && !string.Equals(allowed, origin, StringComparison.OrdinalIgnoreCase))
        {
            return WebhookHandshakeResult.NotConfirmed(
                $"The endpoint's {AllowedOriginHeader} header names neither '{origin}' nor '*'.");
        }

        return WebhookHandshakeResult.Confirmed(AllowedRate(response));
    }

    /// <summary><c>*</c> or a positive number of requests per minute; anything else is ignored.</summary>
    private static string? AllowedRate(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues(AllowedRateHeader, out var values))
        {
            return null;
        }

        var rate = string.Join(',', values).Trim();
        return rate == "*" || (int.TryParse(rate, NumberStyles.None, CultureInfo.InvariantCulture, out var perMinute) && perMinute > 0)
            ? rate
            : null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook endpoint {Host} consented to deliveries from {Origin}, allowed rate {AllowedRate}")]
    private partial void LogConfirmed(string host, string origin, string allowedRate);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook endpoint {Host} did not consent in the validation handshake: {Reason}")]
    private partial void LogNotConfirmed(string host, string? reason);
}
