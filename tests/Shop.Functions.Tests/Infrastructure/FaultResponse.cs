using System.Diagnostics.CodeAnalysis;
using System.Text;
using Azure;
using Azure.Core;

namespace Shop.Functions.Tests.Infrastructure;

/// <summary>A storage error answer made up at the transport (nothing reached storage): status, x-ms-error-code and an error body.</summary>
internal sealed class FaultResponse(string clientRequestId, int status, string errorCode, string message) : Response
{
    private readonly Dictionary<string, string> _headers = new(StringComparer.OrdinalIgnoreCase)
    {
        ["x-ms-error-code"] = errorCode,
        ["Content-Type"] = "application/json",
    };

    public override int Status { get; } = status;

    public override string ReasonPhrase => errorCode;

    public override Stream? ContentStream { get; set; } =
        new MemoryStream(Encoding.UTF8.GetBytes("{\"odata.error\":{\"code\":\"" + errorCode + "\",\"message\":{\"lang\":\"en-US\",\"value\":\"" + message + "\"}}}"));

    public override string ClientRequestId { get; set; } = clientRequestId;

    public override void Dispose() => ContentStream?.Dispose();

    protected override bool ContainsHeader(string name) => _headers.ContainsKey(name);

    protected override IEnumerable<HttpHeader> EnumerateHeaders() => _headers.Select(h => new HttpHeader(h.Key, h.Value));

    protected override bool TryGetHeader(string name, [NotNullWhen(true)] out string? value) => _headers.TryGetValue(name, out value);

    protected override bool TryGetHeaderValues(string name, [NotNullWhen(true)] out IEnumerable<string>? values)
    {
        var found = _headers.TryGetValue(name, out var value);
        values = found ? [value!] : null;
        return found;
    }
}
