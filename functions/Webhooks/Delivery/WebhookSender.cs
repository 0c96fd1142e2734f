using System.Globalization;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Shop.Functions.Platform;

namespace Shop.Functions.Webhooks.Delivery;

/// <summary>
/// Posts a signed webhook through the destination host's pipeline (<see cref="WebhookResiliencePipelines"/>) on a
/// typed HttpClient whose handler follows no redirects and connects through <see cref="WebhookDestinationGuard"/>.
/// </summary>
internal sealed partial class WebhookSender : IWebhookSender
{
    /// <summary>The media type of a CloudEvent in HTTP structured mode (CloudEvents HTTP binding 3.2, JSON format).</summary>
    public const string CloudEventContentType = "application/cloudevents+json";

    private readonly HttpClient _http;
    private readonly WebhookDestinationGuard _guard;
    private readonly WebhookResiliencePipelines _pipelines;
    private readonly IOptions<WebhookOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<WebhookSender> _logger;

    public WebhookSender(
        HttpClient http,
        WebhookDestinationGuard guard,
        WebhookResiliencePipelines pipelines,
        IOptions<WebhookOptions> options,
        TimeProvider time,
        ILogger<WebhookSender> logger)
    {
        _http = http;
        _guard = guard;
        _pipelines = pipelines;
        _options = options;
        _time = time;
        _logger = logger;
    }

    public async Task<WebhookPostResult> PostAsync(WebhookPost post, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(post);
        var started = _time.GetTimestamp();
        var result = await PostOnceAsync(post, cancellationToken);
        ShopMetrics.WebhookDelivered(result.Status.ToString(), _time.GetElapsedTime(started));
        return result;
    }

    private async Task<WebhookPostResult> PostOnceAsync(WebhookPost post, CancellationToken cancellationToken)
    {
        var problem = _guard.CheckUrl(post.Url);
        if (problem is not null)
        {
            LogRefused(post.WebhookId, post.Url.IsAbsoluteUri ? post.Url.Host : "(relative URL)", problem);
            return new WebhookPostResult(WebhookPostStatus.Refused, [], problem);
        }

        var delivery = new Delivery(this, post, WebhookResiliencePipelines.HostKey(post.Url), cancellationToken);
        try
        {
            var response = await _pipelines.For(post.Url).ExecuteAsync(
                static (delivery, ct) => delivery.Sender.AttemptAsync(delivery, ct),
                delivery,
                cancellationToken);
            return Finish(delivery, response);
        }
        catch (BrokenCircuitException) when (delivery.Attempts.Count == 0)
        {
            LogDeferred(post.WebhookId, delivery.Host);
            return new WebhookPostResult(WebhookPostStatus.Deferred, [], $"The circuit to {delivery.Host} is open: not attempted.");
        }
        catch (BrokenCircuitException)
        {
            return Fail(delivery, $"{delivery.Attempts[^1].Error}; then the circuit to {delivery.Host} opened.");
        }
        catch (Exception ex) when (WebhookDestinationRefusedException.FindIn(ex) is { } refused)
        {
            LogRefused(post.WebhookId, delivery.Host, refused.Message);
            return new WebhookPostResult(WebhookPostStatus.Refused, delivery.Attempts, refused.Message);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or TimeoutRejectedException && !cancellationToken.IsCancellationRequested)
        {
            return Fail(delivery, delivery.Attempts[^1].Error);
        }
    }

    private WebhookPostResult Finish(Delivery delivery, ReceiverResponse response)
    {
        if (response.IsSuccess)
        {
            LogDelivered(delivery.Post.WebhookId, delivery.Host, response.StatusCode, delivery.Attempts.Count);
            return new WebhookPostResult(WebhookPostStatus.Delivered, delivery.Attempts, null);
        }

        if (response.StatusCode == 410)
        {
            LogGone(delivery.Post.WebhookId, delivery.Host);
            return new WebhookPostResult(WebhookPostStatus.Gone, delivery.Attempts, delivery.Redact(response.Describe()));
        }

        return Fail(delivery, delivery.Attempts[^1].Error);
    }

    private WebhookPostResult Fail(Delivery delivery, string? error)
    {
        LogFailed(delivery.Post.WebhookId, delivery.Host, delivery.Attempts.Count, error);
        return new WebhookPostResult(WebhookPostStatus.Failed, delivery.Attempts, error);
    }

    private async ValueTask<ReceiverResponse> AttemptAsync(Delivery delivery, CancellationToken attemptToken)
    {
        var startedAt = _time.GetUtcNow();
        var started = _time.GetTimestamp();
        try
        {
            using var request = CreateRequest(delivery, startedAt, _options.Value.RequestOrigin);
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attemptToken);
            var result = await ReceiverResponse.ReadAsync(response, _options.Value.MaxResponseBodyBytes, attemptToken);
            var error = result.IsSuccess ? null : delivery.Redact(result.Describe());
            delivery.Attempts.Add(new WebhookAttempt(startedAt, _time.GetElapsedTime(started), result.StatusCode, error));
            if (error is not null)
            {
                LogAttemptFailed(delivery.Post.WebhookId, delivery.Host, delivery.Attempts.Count, error);
            }

            return result;
        }
        catch (Exception ex) when (!delivery.CallerToken.IsCancellationRequested)
        {
            var error = ex is OperationCanceledException && attemptToken.IsCancellationRequested
                ? $"Timed out after {_options.Value.Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s."
                : WebhookDestinationRefusedException.FindIn(ex)?.Message ?? Describe(ex);
            delivery.Attempts.Add(new WebhookAttempt(startedAt, _time.GetElapsedTime(started), null, error));
            LogAttemptFailed(delivery.Post.WebhookId, delivery.Host, delivery.Attempts.Count, error);
            throw;
        }
    }

    /// <summary>
    /// One attempt's request: the CloudEvent in HTTP structured mode, stamped and signed at <paramref name="now"/>
    /// (Standard Webhooks: a fresh timestamp and signature on every attempt, so a retry is not rejected as a replay).
    /// </summary>
    private static HttpRequestMessage CreateRequest(Delivery delivery, DateTimeOffset now, string? origin)
    {
        var post = delivery.Post;
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(post.Body));
        content.Headers.ContentType = new MediaTypeHeaderValue(CloudEventContentType) { CharSet = "utf-8" };
        var request = new HttpRequestMessage(HttpMethod.Post, post.Url) { Content = content };
        request.Headers.TryAddWithoutValidation(WebhookSignatures.IdHeader, post.WebhookId);
        request.Headers.TryAddWithoutValidation(WebhookSignatures.TimestampHeader, now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation(WebhookSignatures.SignatureHeader, delivery.Sign(now));

        // CloudEvents webhooks (4.1.2): every delivery names the origin a validation handshake asked consent for.
        request.Headers.TryAddWithoutValidation(WebhookHandshake.RequestOriginHeader, origin ?? WebhookOptions.DefaultRequestOrigin);
        return request;
    }

    private static string Describe(Exception ex) => ex.InnerException is { } inner && ex is HttpRequestException
        ? $"{ex.Message} ({inner.Message})"
        : ex.Message;
}
