using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Shop.Functions.Tests.Webhooks;

/// <summary>One request the receiver got: header names are lower case.</summary>
public sealed record ReceivedWebhook(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var value) ? value : string.Empty;
}

/// <summary>How the receiver answers one request; <paramref name="Headers"/> are added to the response.</summary>
public sealed record ReceiverReply(
    int StatusCode,
    string Body = "",
    long StreamBytes = 0,
    bool Hang = false,
    Func<ReceivedWebhook, string>? BodyFrom = null,
    Uri? Location = null,
    IReadOnlyDictionary<string, string>? Headers = null)
{
    public static ReceiverReply Status(int statusCode, string body = "") => new(statusCode, body);

    /// <summary>200 with a body of <paramref name="bytes"/> bytes, written in chunks as the client reads.</summary>
    public static ReceiverReply Stream(long bytes) => new(200, StreamBytes: bytes);

    /// <summary>200 with a body that never ends: the stream stops only when the client goes away.</summary>
    public static ReceiverReply EndlessStream() => Stream(long.MaxValue);

    /// <summary>A redirect to <paramref name="location"/>.</summary>
    public static ReceiverReply Redirect(int statusCode, Uri location) => new(statusCode, Location: location);

    /// <summary>Never answers: waits until the client gives up.</summary>
    public static ReceiverReply Hanging() => new(200, Hang: true);

    /// <summary>A body made from the request, e.g. one that echoes a header.</summary>
    public static ReceiverReply Echo(int statusCode, Func<ReceivedWebhook, string> body) => new(statusCode, BodyFrom: body);

    /// <summary>An answer with these response headers, e.g. a validation handshake's consent.</summary>
    public static ReceiverReply WithHeaders(int statusCode, params (string Name, string Value)[] headers) =>
        new(statusCode, Headers: headers.ToDictionary(h => h.Name, h => h.Value, StringComparer.OrdinalIgnoreCase));
}

/// <summary>
/// A real HTTP endpoint on 127.0.0.1 and a free port (Kestrel): records every request and answers with a scripted
/// sequence of replies, then with <see cref="Default"/>.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly ConcurrentQueue<ReceivedWebhook> _requests = new();
    private readonly ConcurrentQueue<ReceiverReply> _script;
    private readonly TaskCompletionSource<long> _streamEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly WebApplication _app;

    private WebhookReceiver(IEnumerable<ReceiverReply> script)
    {
        _script = new ConcurrentQueue<ReceiverReply>(script);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.Run(HandleAsync);
    }

    /// <summary>The URL to post to: http://127.0.0.1:{port}/hooks.</summary>
    public Uri Url { get; private set; } = null!;

    public int Port => Url.Port;

    /// <summary>The answer once the script is used up.</summary>
    public ReceiverReply Default { get; set; } = ReceiverReply.Status(200);

    /// <summary>When set, chooses the answer to each request once the script is used up (instead of <see cref="Default"/>).</summary>
    public Func<ReceivedWebhook, ReceiverReply>? Responder { get; set; }

    /// <summary>Keep every request in <see cref="Requests"/> (on by default); off in long runs, where memory is measured.</summary>
    public bool RecordRequests { get; set; } = true;

    public IReadOnlyList<ReceivedWebhook> Requests => [.. _requests];

    public int RequestCount => _requests.Count;

    /// <summary>
    /// Bytes of a streamed body written when the stream ended or the client went away. An upper bound: Kestrel
    /// accepts writes as no-ops for a moment after the connection is gone.
    /// </summary>
    public Task<long> StreamEnded => _streamEnded.Task;

    public static async Task<WebhookReceiver> StartAsync(params ReceiverReply[] script)
    {
        var receiver = new WebhookReceiver(script);
        await receiver._app.StartAsync();
        var address = new Uri(receiver._app.Urls.Single());
        receiver.Url = new Uri($"http://127.0.0.1:{address.Port}/hooks");
        return receiver;
    }

    /// <summary>A port on 127.0.0.1 where nothing listens.</summary>
    public static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal);
        var request = new ReceivedWebhook(context.Request.Method, context.Request.Path, headers, body);
        if (RecordRequests)
        {
            _requests.Enqueue(request);
        }

        var reply = _script.TryDequeue(out var next) ? next : Responder?.Invoke(request) ?? Default;
        if (reply.Hang)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
            }

            return;
        }

        context.Response.StatusCode = reply.StatusCode;
        if (reply.Location is not null)
        {
            context.Response.Headers.Location = reply.Location.ToString();
        }

        foreach (var (name, value) in reply.Headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }

        if (reply.StreamBytes > 0)
        {
            await StreamAsync(context, reply.StreamBytes);
            return;
        }

        await context.Response.WriteAsync(reply.BodyFrom?.Invoke(request) ?? reply.Body, context.RequestAborted);
    }

    private async Task StreamAsync(HttpContext context, long bytes)
    {
        var chunk = new byte[16 * 1024];
        Array.Fill(chunk, (byte)'x');
        if (bytes != long.MaxValue)
        {
            context.Response.ContentLength = bytes;
        }

        long written = 0;
        try
        {
            while (written < bytes && !context.RequestAborted.IsCancellationRequested)
            {
                var size = (int)Math.Min(chunk.Length, bytes - written);
                await context.Response.Body.WriteAsync(chunk.AsMemory(0, size), context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                written += size;
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // The client went away: what it did not read was never sent.
        }
        finally
        {
            _streamEnded.TrySetResult(written);
        }
    }
}
