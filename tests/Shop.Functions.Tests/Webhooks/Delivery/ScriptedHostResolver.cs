using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Shop.Functions.Webhooks.Delivery;

namespace Shop.Functions.Tests.Webhooks.Delivery;

/// <summary>
/// A resolver whose answers the test chooses: each call for a host takes its next answer, and the last answer
/// repeats. So "rebind.test" can resolve to a public address at registration and to 10.0.0.1 at send time.
/// Unknown hosts do not resolve.
/// </summary>
public sealed class ScriptedHostResolver : IWebhookHostResolver
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<IPAddress[]>> _answers = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, IPAddress[]> _last = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Each argument is one answer: the addresses of one resolution, comma-separated.</summary>
    public ScriptedHostResolver Answer(string host, params string[] answers)
    {
        var queue = _answers.GetOrAdd(host, _ => new ConcurrentQueue<IPAddress[]>());
        foreach (var answer in answers)
        {
            queue.Enqueue([.. answer.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(IPAddress.Parse)]);
        }

        return this;
    }

    public int Calls(string host) => _calls.GetValueOrDefault(host);

    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        _calls.AddOrUpdate(host, 1, (_, calls) => calls + 1);
        if (_answers.TryGetValue(host, out var queue) && queue.TryDequeue(out var next))
        {
            _last[host] = next;
            return Task.FromResult(next);
        }

        return _last.TryGetValue(host, out var last)
            ? Task.FromResult(last)
            : Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound));
    }
}
