using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Primitives;
using Shop.Functions.Tests.Infrastructure;

namespace Shop.Functions.Tests.Reliability;

/// <summary>
/// Generates the hostile HTTP campaign: every HTTP function of functions.metadata, attacked in each way that applies to
/// it (body, route values, query, headers). Deterministic for a seed: the same seed gives the same requests in the
/// same order, so a failure reproduces.
/// </summary>
public sealed class HostileRequestGenerator(KnownIds known, int seed)
{
    /// <summary>Injected into X-Forwarded-Host; the app does not trust forwarded headers unless configured to.</summary>
    public const string InjectedHost = "evil.attacker.example";

    private static readonly string[] MalformedBodies =
    [
        "{", "}", "{\"customer\": {\"id\": \"c1\",, }", "{'customer': 1}", "{customer: 1}", "{\"a\":1} trailing", "{\"a\":1}{\"b\":2}",
        "/* comment */ {}", "NaN", "undefined", "[", "\"just a string\"", "{\"items\": [1, 2,]}", "\u0000",
        "{\"customer\": {\"id\": \"unterminated}}", "{\"a\": 01}", "{\"a\": .5}", "{\"a\": 0x10}", "{\"\\x41\": 1}", "{\"a\": \"\\u12\"}",
        "null", "[]", "[{}]", "true", "42", "", "   ",
    ];

    private static readonly string[] HostileIds =
    [
        "../", "../../Orders", "..%2f..%2fOrders", "%2e%2e", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "..\\..\\windows", "/", "\\", "#", "?", "*",
        "' or PartitionKey ne '", "x' or RowKey gt '", "ord_' or 1 eq 1 or '", "PartitionKey eq 'x'", "1; DROP TABLE Orders", "${jndi:ldap://x/a}",
        "{{7*7}}", "<script>alert(1)</script>", "%00", "\u0000", "a\r\nX-Injected: 1", "\ud800", "\udfff", "\u202eexe.txt", "\u200b",
        "ord_\u200bAAAAAAAAAAAAAAAAAAAAAAAAAA", "ｏｒｄ_aaaaaaaaaaaaaaaaaaaaaaaaaa", "ORD_AAAAAAAAAAAAAAAAAAAAAAAAAA", " ", "", "-1", "0x10", "1e400",
        "9223372036854775808", "NaN", "-0", new string('a', 1024), new string('9', 10_000), "whk_" + new string('a', 26), "dlv_" + new string('1', 40),
        "ord_aaaaaaaaaaaaaaaaaaaaaaaaa!", "place-order/../ship-order", "order-events~../x", "order-events~", "~catalog",
    ];

    private static readonly string[] OddCharacters =
    [
        "\ud800", "\udc00", "\u0000", "\u202e", "\u200b", "\ufeff", "\u0007", "ｓ", "e\u0301", "\u2028", "\uffff",
    ];

    private static readonly byte[][] InvalidUtf8 =
    [
        [0xC0, 0xAF], // overlong '/'
        [0xC0, 0x80], // overlong NUL
        [0xED, 0xA0, 0x80], // a UTF-16 surrogate encoded as UTF-8 (CESU-8)
        [0xFF, 0xFE],
        [0xE2, 0x82], // a truncated sequence
        [0xF8, 0x88, 0x80, 0x80, 0x80], // a five-byte form
    ];

    private static readonly JsonNode?[] WrongTypes = [JsonValue.Create(42), JsonValue.Create(true), new JsonArray(), new JsonObject(), JsonValue.Create(-1.5)];

    private static readonly string[] HugeNumbers =
    [
        "1e400", "-1e400", "-0", "\"NaN\"", "NaN", "Infinity", "-Infinity", "1e-400", "0", "-1", "101", "2147483648", "-2147483649",
        "9223372036854775808", "1.5", "100.0000000000000000001", "\"2\"", "0x2", "+2", "1_0",
    ];

    private static readonly string[] ContentTypes =
    [
        "", "text/plain", "application/xml", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded",
        "application/json; charset=latin1", "application/json; charset=utf-16", "application/json; charset=utf-7", "application/jsonx",
        "json", ";;;", "application/", "*/*", "text/json", "application/json\r\nX-Injected: 1", new string('a', 8_000) + "/json",
    ];

    private static readonly string[] BadIdempotencyKeys =
    [
        "", " ", new string('k', 256), new string('k', 10_000), "key with spaces", "k\u00e9y", "k\r\nSet-Cookie: a=b", "k\u0000", "k\u202e",
        "\ud800",
    ];

    private static readonly string[] IfNoneMatch = ["*", "garbage", "W/\"", "\"\"\"", new string('"', 5_000), "\"a\", , ,\"b\"", "W/\"x\"\u0000"];

    private static readonly string[] ForwardedHosts =
    [
        InjectedHost, InjectedHost + "/path?x=1", "user@" + InjectedHost, InjectedHost + "\r\nSet-Cookie: a=b", "[::1]:80", "169.254.169.254",
    ];

    private readonly Random _random = new(seed);

    public IEnumerable<HostileRequest> Generate()
    {
        foreach (var function in FunctionsMetadata.Http)
        {
            var profile = HttpFunctionProfile.All.TryGetValue(function.Name, out var found)
                ? found
                : throw new InvalidOperationException($"HTTP function {function.Name} has no HttpFunctionProfile: say how the campaign attacks it.");
            var target = new Target(function, profile, Parameters(function.Route), known);
            foreach (var request in ForFunction(target))
            {
                yield return request;
            }
        }
    }

    private IEnumerable<HostileRequest> ForFunction(Target target)
    {
        if (target.Profile.ValidBody is not null)
        {
            foreach (var request in BodyAttacks(target))
            {
                yield return request;
            }
        }

        foreach (var parameter in target.Parameters)
        {
            foreach (var id in HostileIds)
            {
                yield return target.Request("ids", $"{parameter} = {Show(id)}", true, new Dictionary<string, string> { [parameter] = id }) with
                {
                    Body = target.BodyOrNull(),
                };
            }
        }

        foreach (var parameter in target.Profile.ParsedQuery)
        {
            string[] values = ["0", "-1", "-0", "1e400", "NaN", "Infinity", "101", "99999999999999999999", "1.5", " 1", "0x10", "' or 1 eq 1 or '",
                "../", "%00", "\ud800", new string('9', 5_000), "1&" + parameter + "=2"];
            foreach (var value in values)
            {
                if (parameter == "from" && value.All(char.IsAsciiDigit))
                {
                    continue; // any sequence number is a valid place to start
                }

                var query = value.Contains('&', StringComparison.Ordinal) ? $"?{parameter}={value}" : $"?{parameter}={Uri.EscapeDataString(Utf8Safe(value))}";
                yield return target.Request("query", $"?{parameter}={Show(value)}", true) with { Query = query };
            }
        }

        foreach (var request in HeaderAttacks(target))
        {
            yield return request;
        }

        // Bodies sent to functions that read none, together with a hostile id where the function writes.
        if (target.Profile.ValidBody is null)
        {
            var bodies = new[] { "{\"__proto__\": {\"admin\": true}}", new string('[', 10_000), "{" + new string('x', 200_000) + "}" };
            foreach (var body in bodies)
            {
                yield return target.ReadOrRejected("unexpected-body", $"body of {body.Length} characters", this) with { Body = Encoding.UTF8.GetBytes(body) };
            }
        }
    }

    private IEnumerable<HostileRequest> BodyAttacks(Target target)
    {
        var profile = target.Profile;
        var valid = profile.ValidBody!().ToJsonString();

        foreach (var body in MalformedBodies)
        {
            yield return target.Request("malformed-json", Show(body), true, body: body);
        }

        foreach (var depth in new[] { 65, 1_000, 10_000, 100_000 })
        {
            yield return target.Request("deep-nesting", $"{depth} nested arrays", true, body: new string('[', depth) + new string(']', depth));
            yield return target.Request("deep-nesting", $"{depth} nested objects", true, body: string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth));
            var field = profile.AllFields[_random.Next(profile.AllFields.Count)];
            yield return target.Request("deep-nesting", $"{depth} levels in {field}", true,
                body: profile.With(field, null).ToJsonString().Replace("null", new string('[', depth) + new string(']', depth), StringComparison.Ordinal));
        }

        foreach (var field in profile.AllFields)
        {
            foreach (var wrong in WrongTypes)
            {
                if (field.EndsWith("quantity", StringComparison.Ordinal) && wrong is JsonValue)
                {
                    continue; // numbers are the huge-numbers category
                }

                yield return target.Request("wrong-types", $"{field} = {wrong?.ToJsonString()}", true, body: profile.With(field, wrong?.DeepClone()).ToJsonString());
            }

            if (!profile.IsOptional(field))
            {
                yield return target.Request("wrong-types", $"{field} = null", true, body: profile.With(field, null).ToJsonString());
            }
        }

        var numberField = profile.Name switch { "SubmitOrder" => "items[0].quantity", "ReceiveStock" => "quantity", _ => "eventTypes[0]" };
        foreach (var number in HugeNumbers)
        {
            if (profile.Name == "ReceiveStock" && number == "101")
            {
                continue; // a goods receipt may hold up to a million units
            }

            yield return target.Request("huge-numbers", $"{numberField} = {number}", true,
                body: profile.With(numberField, "__N__").ToJsonString().Replace("\"__N__\"", number, StringComparison.Ordinal));
        }

        foreach (var field in profile.StringFields)
        {
            foreach (var length in new[] { 257, 2_049, 10_000, 60_000 })
            {
                yield return target.Request("huge-strings", $"{field} of {length} characters", true, body: profile.WithText(field, new string('x', length)));
            }
        }

        if (profile.Name == "SubmitOrder")
        {
            foreach (var lines in new[] { 51, 1_000, 5_000 })
            {
                var body = profile.ValidBody!();
                body["items"] = new JsonArray([.. Enumerable.Range(0, lines).Select(i => new JsonObject { ["sku"] = $"SKU-{i:D3}", ["quantity"] = 1 })]);
                yield return target.Request("huge-strings", $"{lines} order lines", true, body: body.ToJsonString());
            }

            yield return target.Request("huge-numbers", "the same SKU twice", true, body: profile.With("items[1].sku", "SKU-001").ToJsonString());
        }

        foreach (var field in profile.StrictFields)
        {
            foreach (var odd in OddCharacters)
            {
                if (field.EndsWith("email", StringComparison.Ordinal) && char.IsLetter(odd[0]))
                {
                    continue; // an internationalized address may hold any letter (RFC 6531)
                }

                var value = field.EndsWith("email", StringComparison.Ordinal) ? $"ada{odd}@example.com" : field.EndsWith("country", StringComparison.Ordinal) ? "G" + odd : $"SKU{odd}1";
                if (field == "payment.method")
                {
                    value = "card" + odd;
                }
                else if (field.StartsWith("eventTypes", StringComparison.Ordinal))
                {
                    value = "OrderAccepted" + odd;
                }

                yield return target.Request("unicode", $"{field} = {Show(value)}", true, body: profile.WithText(field, value));
            }
        }

        foreach (var field in profile.StringFields.Except(profile.StrictFields).Where(f => f != profile.UrlField))
        {
            // Free text may hold any printable character; control characters and unpaired surrogates are refused.
            foreach (var odd in new[] { "\ud800", "\udc00", "\u0000", "\u0007", "\u001b[31m" })
            {
                yield return target.Request("unicode", $"{field} with {Show(odd)}", true, body: profile.WithText(field, "Ada " + odd + " Lovelace"));
            }
        }

        foreach (var bytes in InvalidUtf8)
        {
            var field = profile.StringFields[_random.Next(profile.StringFields.Count)];
            var marker = profile.With(field, "@@BYTES@@").ToJsonString();
            var at = marker.IndexOf("@@BYTES@@", StringComparison.Ordinal);
            byte[] body = [.. Encoding.UTF8.GetBytes(marker[..at]), .. bytes, .. Encoding.UTF8.GetBytes(marker[(at + 9)..])];
            yield return target.Request("unicode", $"{field} with invalid UTF-8 {Convert.ToHexString(bytes)}", true) with { Body = body };
        }

        yield return target.Request("unicode", "the body in UTF-16 declared as UTF-8", true) with { Body = Encoding.Unicode.GetBytes(valid) };
        yield return target.Request("unicode", "a BOM before broken JSON", true) with { Body = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(valid[..^1])] };

        if (profile.UrlField is { } urlField)
        {
            string[] urls =
            [
                "javascript:alert(1)", "file:///etc/passwd", "gopher://hooks.example/", "ftp://hooks.example/", "https://user:pass@hooks.example/in",
                "https://hooks.example/in#fragment", "http://169.254.169.254/latest/meta-data/", "https://169.254.169.254/", "https://[::1]/",
                "https://127.0.0.1/", "https://localhost/", "https://10.0.0.1/", "https://[fd00:ec2::254]/", "https://100.100.100.200/",
                "https://[::ffff:127.0.0.1]/", "https://0.0.0.0/", "https://hooks.example\u0000/", "https://hooks.example/\ud800", "/relative/path",
                "https://" + new string('a', 2_100) + ".example/", "http://hooks.example/in", "https://192.168.1.1:8080/x", "https://224.0.0.1/",
            ];
            foreach (var url in urls)
            {
                yield return target.Request("ssrf-urls", $"{urlField} = {Show(url)}", true, body: profile.WithText(urlField, url));
            }
        }

        var limit = profile.MaxBodyBytes;
        foreach (var size in new[] { limit + 1, 1024 * 1024 })
        {
            var body = Encoding.UTF8.GetBytes(profile.With(profile.StringFields[Math.Min(2, profile.StringFields.Count - 1)], new string('x', size)).ToJsonString());
            yield return target.Request("oversized", $"{body.Length} bytes with Content-Length", true) with { Body = body };
            yield return target.Request("oversized", $"{body.Length} bytes without Content-Length", true) with { Body = body, SendContentLength = false };
        }

        var validBytes = Encoding.UTF8.GetBytes(valid);
        yield return target.Request("oversized", "Content-Length larger than the limit, small body", true) with { Body = validBytes, DeclaredLength = 10L * 1024 * 1024 * 1024 };
        yield return target.Request("oversized", "Content-Length shorter than the body", true) with { Body = validBytes, DeclaredLength = validBytes.Length / 2 };
        yield return target.Request("oversized", "Content-Length 0 with a body", true) with { Body = validBytes, DeclaredLength = 0 };

        foreach (var contentType in ContentTypes)
        {
            yield return target.Request("content-type", $"Content-Type {Show(contentType)}", true, body: valid) with { ContentType = contentType };
        }

        yield return target.Request("content-type", "no Content-Type", true, body: valid) with { ContentType = null };

        // Cut the valid body at a random point: a proper prefix of a JSON object is never valid JSON.
        for (var i = 0; i < 60; i++)
        {
            var cut = _random.Next(0, validBytes.Length);
            yield return target.Request("fuzz-truncated", $"the valid body cut at byte {cut}", true) with { Body = validBytes[..cut] };
        }

        // Random bytes after the valid body: trailing content makes it invalid whatever the bytes are.
        for (var i = 0; i < 40; i++)
        {
            var junk = new byte[_random.Next(1, 64)];
            _random.NextBytes(junk);
            junk[0] = (byte)"x]}\"0,"[_random.Next(6)];
            yield return target.Request("fuzz-trailing", $"{junk.Length} random bytes after the valid body", true) with { Body = [.. validBytes, .. junk] };
        }
    }

    private IEnumerable<HostileRequest> HeaderAttacks(Target target)
    {
        foreach (var host in ForwardedHosts)
        {
            yield return target.ReadOrRejected("headers", $"X-Forwarded-Host {Show(host)}", this) with
            {
                Headers = [("X-Forwarded-Host", host), ("X-Forwarded-Proto", "javascript"), ("Forwarded", $"host={host}")],
            };
        }

        foreach (var etag in IfNoneMatch)
        {
            yield return target.ReadOrRejected("headers", $"If-None-Match {Show(etag)}", this) with { Headers = [("If-None-Match", etag)] };
        }

        yield return target.ReadOrRejected("headers", "X-MS-CLIENT-PRINCIPAL-ID of 10,000 characters and X-HTTP-Method-Override", this) with
        {
            Headers = [("X-MS-CLIENT-PRINCIPAL-ID", new string('p', 10_000)), ("X-HTTP-Method-Override", "DELETE"), ("X-Original-URL", "/api/ops/dead-letters/place-order")],
        };

        yield return target.ReadOrRejected("headers", "10,000 junk headers", this) with
        {
            Headers = [.. Enumerable.Range(0, 10_000).Select(i => ($"X-Junk-{i}", new StringValues("v")))],
        };

        if (target.Profile.Name == "SubmitOrder")
        {
            // A valid body: the key is the only thing wrong, so it must be what refuses the request.
            var valid = target.Profile.ValidBody!().ToJsonString();
            foreach (var key in BadIdempotencyKeys)
            {
                yield return target.Request("headers", $"Idempotency-Key {Show(key)}", true, body: valid) with { Headers = [(HttpFunctionProfile.SubmitOrderHeader, key)] };
            }

            yield return target.Request("headers", "two Idempotency-Key headers, the same", true, body: valid) with
            {
                Headers = [(HttpFunctionProfile.SubmitOrderHeader, new StringValues(["k-1", "k-1"]))],
            };
            yield return target.Request("headers", "two Idempotency-Key headers, different", true, body: valid) with
            {
                Headers = [(HttpFunctionProfile.SubmitOrderHeader, new StringValues(["k-1", "k-2"]))],
            };
        }
    }

    private static List<string> Parameters(string route) =>
        [.. System.Text.RegularExpressions.Regex.Matches(route, "\\{([^}:?]+)[^}]*\\}").Select(match => match.Groups[1].Value)];

    private static string Show(string value)
    {
        var shown = string.Concat(value.Take(40).Select(c => c is < ' ' or > '~' ? $"\\u{(int)c:x4}" : c.ToString()));
        return value.Length > 40 ? $"\"{shown}...\" ({value.Length} chars)" : $"\"{shown}\"";
    }

    private static string Utf8Safe(string value) => new UTF8Encoding(false, false).GetString(new UTF8Encoding(false, false).GetBytes(value));

    private sealed record Target(HttpFunction Function, HttpFunctionProfile Profile, IReadOnlyList<string> Parameters, KnownIds Known)
    {
        public bool IsRead => Function.Methods.All(method => method == "get");

        public HostileRequest Request(string category, string description, bool mustReject, Dictionary<string, string>? hostile = null, string? body = null)
        {
            var values = Parameters.ToDictionary(p => p, p => hostile is not null && hostile.TryGetValue(p, out var v) ? v : Known.ValidRouteValue(p), StringComparer.Ordinal);
            return new HostileRequest(category, Function.Name, Function.Methods[0], Function.Route, values, description, mustReject)
            {
                Body = body is null ? null : Encoding.UTF8.GetBytes(body),
            };
        }

        /// <summary>
        /// A request whose only hostile part is what <paramref name="description"/> says. A read may ignore it and answer;
        /// a write must still be refused, so it gets a hostile route value, or a broken body where it has no route value.
        /// </summary>
        public HostileRequest ReadOrRejected(string category, string description, HostileRequestGenerator generator)
        {
            if (IsRead)
            {
                return Request(category, description, false);
            }

            if (Parameters.Count > 0)
            {
                var parameter = Parameters[generator._random.Next(Parameters.Count)];
                var id = HostileIds[generator._random.Next(HostileIds.Length)];
                return Request(category, $"{description}, {parameter} = {Show(id)}", true, new Dictionary<string, string> { [parameter] = id });
            }

            // A write without a body of ours (a provider's webhook): the hostile part alone must be refused.
            return Profile.ValidBody is null
                ? Request(category, description, true)
                : Request(category, $"{description}, body cut short", true, body: Profile.ValidBody().ToJsonString()[..^1]);
        }

        public byte[]? BodyOrNull() =>
            Profile.ValidBody is null ? null : Encoding.UTF8.GetBytes(Profile.ValidBody().ToJsonString());
    }
}
