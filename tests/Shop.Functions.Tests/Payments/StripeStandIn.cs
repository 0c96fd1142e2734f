using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using WireMock;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Types;
using WireMock.Util;

namespace Shop.Functions.Tests.Payments;

/// <summary>
/// Plays Stripe's API v1 (the part the gateway uses) on a WireMock.Net server, as Stripe documents it: form-encoded
/// requests, JSON objects <c>payment_intent</c>, <c>charge</c>, <c>refund</c>, <c>search_result</c> and
/// <c>{"error": {...}}</c>; idempotency as https://docs.stripe.com/api/idempotent_requests says (the first response of a
/// key is saved once the endpoint runs and replayed, with <c>Idempotent-Replayed: true</c>, to a retry with the same
/// parameters; other parameters answer 400 <c>idempotency_error</c>). Stripe's test payment methods decide a charge:
/// <see cref="Visa"/> succeeds, <see cref="Declined"/> and <see cref="InsufficientFunds"/> are declined with 402
/// <c>card_error</c>, <see cref="ThreeDSecure"/> answers <c>requires_action</c> until <see cref="CompleteAction"/>.
/// Faults: <see cref="FailNext"/> (an answer before the endpoint runs: nothing saved) and <see cref="LoseNextAnswers"/>
/// (the endpoint ran, the answer breaks off halfway).
/// </summary>
public sealed partial class StripeStandIn : IDisposable
{
    public const string Visa = "pm_card_visa";
    public const string Declined = "pm_card_visa_chargeDeclined";
    public const string InsufficientFunds = "pm_card_visa_chargeDeclinedInsufficientFunds";
    public const string ThreeDSecure = "pm_card_authenticationRequired";
    public const string ApiVersion = "2025-11-17.clover";

    private readonly WireMockServer _server;
    private readonly object _gate = new();
    private readonly Dictionary<string, JsonObject> _intents = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JsonObject> _charges = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Fingerprint, int Status, string Body)> _idempotency = new(StringComparer.Ordinal);
    private readonly List<StripeCall> _calls = [];
    private readonly Queue<int> _failures = new();
    private int _lostAnswers;
    private string? _losePath;
    private int _failuresAfterLoss;

    public StripeStandIn()
    {
        _server = WireMockServer.Start();
        _server.Given(Request.Create().WithPath(new RegexMatcher("^/v1/.*")).UsingAnyMethod())
            .RespondWith(Response.Create().WithCallback(Handle));
    }

    public string Url => _server.Url!;

    /// <summary>The timeout the tests give Stripe.net's HttpClient.</summary>
    public static TimeSpan ClientTimeout => TimeSpan.FromSeconds(20);

    /// <summary>Every request received, in order.</summary>
    public IReadOnlyList<StripeCall> Calls
    {
        get
        {
            lock (_gate)
            {
                return [.. _calls];
            }
        }
    }

    /// <summary>The next <paramref name="count"/> requests answer <paramref name="status"/> before reaching the endpoint.</summary>
    public void FailNext(int count, int status)
    {
        lock (_gate)
        {
            for (var i = 0; i < count; i++)
            {
                _failures.Enqueue(status);
            }
        }
    }

    /// <summary>
    /// The next <paramref name="count"/> requests (to <paramref name="path"/>, when given) run, but their answer breaks off
    /// halfway (WireMock's MALFORMED_RESPONSE_CHUNK fault), as when the connection drops after Stripe did the work.
    /// </summary>
    /// <remarks>Then the next <paramref name="failuresAfter"/> requests answer 503 before reaching the endpoint.</remarks>
    public void LoseNextAnswers(int count, string? path = null, int failuresAfter = 0)
    {
        lock (_gate)
        {
            _lostAnswers += count;
            _losePath = path;
            _failuresAfterLoss = failuresAfter;
        }
    }

    /// <summary>The PaymentIntents created for an order (by their <c>metadata[order_id]</c>).</summary>
    public IReadOnlyList<JsonObject> IntentsFor(string orderId)
    {
        lock (_gate)
        {
            return _intents.Values.Where(i => i["metadata"]?["order_id"]?.GetValue<string>() == orderId).Select(i => (JsonObject)i.DeepClone()).ToList();
        }
    }

    /// <summary>Minor units captured and refunded for an order, over all its PaymentIntents.</summary>
    public (long Captured, long Refunded) MoneyFor(string orderId)
    {
        lock (_gate)
        {
            var charges = _intents.Values
                .Where(i => i["metadata"]?["order_id"]?.GetValue<string>() == orderId && i["latest_charge"] is JsonValue)
                .Select(i => _charges[i["latest_charge"]!.GetValue<string>()]).ToList();
            return (charges.Sum(c => c["amount_captured"]!.GetValue<long>()), charges.Sum(c => c["amount_refunded"]!.GetValue<long>()));
        }
    }

    /// <summary>
    /// The customer finishes 3-D Secure (<paramref name="succeed"/>) or fails it: the PaymentIntent moves on, and the
    /// answer is the event Stripe would send (<c>payment_intent.succeeded</c> or <c>payment_intent.payment_failed</c>).
    /// </summary>
    public string CompleteAction(string paymentIntentId, bool succeed)
    {
        lock (_gate)
        {
            var intent = _intents[paymentIntentId];
            if (succeed)
            {
                Capture(intent);
            }
            else
            {
                intent["status"] = "requires_payment_method";
                intent["next_action"] = null;
                intent["last_payment_error"] = Error("card_error", "card_declined", "The card was declined.", declineCode: "authentication_required");
            }

            return Event(succeed ? "payment_intent.succeeded" : "payment_intent.payment_failed", intent);
        }
    }

    /// <summary>A Stripe event of <paramref name="type"/> about the PaymentIntent, as Stripe sends it to a webhook endpoint.</summary>
    public string EventFor(string type, string paymentIntentId)
    {
        lock (_gate)
        {
            return Event(type, _intents[paymentIntentId]);
        }
    }

    public void Dispose() => _server.Stop();

    private static string Event(string type, JsonObject intent) => new JsonObject
    {
        ["id"] = NewId("evt_"),
        ["object"] = "event",
        ["api_version"] = ApiVersion,
        ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        ["data"] = new JsonObject { ["object"] = intent.DeepClone() },
        ["livemode"] = false,
        ["pending_webhooks"] = 1,
        ["request"] = new JsonObject { ["id"] = null, ["idempotency_key"] = null },
        ["type"] = type,
    }.ToJsonString();

    private ResponseMessage Handle(IRequestMessage request)
    {
        var form = QueryHelpers.ParseQuery(request.Method == "GET" ? request.RawQuery : request.Body);
        var key = request.Headers?.TryGetValue("Idempotency-Key", out var keys) == true ? keys.FirstOrDefault() : null;
        bool lose;
        (int Status, string Body, bool Replayed) answer;
        lock (_gate)
        {
            _calls.Add(new StripeCall(request.Method, request.Path, key, form.ToDictionary(p => p.Key, p => p.Value.ToString(), StringComparer.Ordinal)));
            if (_failures.TryDequeue(out var failure))
            {
                return Json(failure, new JsonObject { ["error"] = Error("api_error", null, "Simulated failure before the endpoint ran.") }.ToJsonString());
            }

            lose = _lostAnswers > 0 && (_losePath is null || _losePath == request.Path);
            if (lose)
            {
                _lostAnswers--;
                for (; _lostAnswers == 0 && _failuresAfterLoss > 0; _failuresAfterLoss--)
                {
                    _failures.Enqueue(503);
                }
            }

            answer = Idempotent(request, key, form);
        }

        var response = Json(answer.Status, answer.Body);
        if (lose)
        {
            // The status line and half the body, then the connection closes: the client never reads an answer.
            response.FaultType = FaultType.MALFORMED_RESPONSE_CHUNK;
            response.FaultPercentage = 1.0;
        }

        if (answer.Replayed)
        {
            response.AddHeader("Idempotent-Replayed", "true");
        }

        return response;
    }

    private (int Status, string Body, bool Replayed) Idempotent(IRequestMessage request, string? key, Dictionary<string, StringValues> form)
    {
        if (request.Method != "POST" || key is null)
        {
            var (status, body) = Route(request, form);
            return (status, body, false);
        }

        var fingerprint = request.Path + "?" + string.Join("&", form.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
        if (_idempotency.TryGetValue(key, out var saved))
        {
            return saved.Fingerprint == fingerprint
                ? (saved.Status, saved.Body, true)
                : (400, new JsonObject
                {
                    ["error"] = Error(
                        "idempotency_error",
                        null,
                        $"Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '{key}' if you meant to execute a different request."),
                }.ToJsonString(), false);
        }

        var (firstStatus, firstBody) = Route(request, form);
        _idempotency[key] = (fingerprint, firstStatus, firstBody);
        return (firstStatus, firstBody, false);
    }

    private (int Status, string Body) Route(IRequestMessage request, Dictionary<string, StringValues> form)
    {
        var path = request.Path;
        if (request.Method == "POST" && path == "/v1/payment_intents")
        {
            return CreateIntent(form);
        }

        if (request.Method == "GET" && path == "/v1/payment_intents/search")
        {
            return Search(form);
        }

        if (IntentPath().Match(path) is { Success: true } match)
        {
            if (!_intents.TryGetValue(match.Groups["id"].Value, out var intent))
            {
                return Missing(match.Groups["id"].Value, "intent");
            }

            return match.Groups["action"].Value switch
            {
                "" when request.Method == "GET" => (200, Render(intent, form, "latest_charge")),
                "/cancel" when request.Method == "POST" => Cancel(intent),
                _ => (404, new JsonObject { ["error"] = Error("invalid_request_error", null, "Unrecognized request URL.") }.ToJsonString()),
            };
        }

        if (request.Method == "POST" && path == "/v1/refunds")
        {
            return Refund(form);
        }

        return (404, new JsonObject { ["error"] = Error("invalid_request_error", null, $"Unrecognized request URL ({request.Method}: {path}).") }.ToJsonString());
    }

    private (int, string) CreateIntent(Dictionary<string, StringValues> form)
    {
        var paymentMethod = form.GetValueOrDefault("payment_method").ToString();
        if (!paymentMethod.StartsWith("pm_", StringComparison.Ordinal))
        {
            return (400, new JsonObject
            {
                ["error"] = Error("invalid_request_error", "resource_missing", $"No such PaymentMethod: '{paymentMethod}'", param: "payment_method"),
            }.ToJsonString());
        }

        var metadata = new JsonObject();
        foreach (var (name, value) in form.Where(p => p.Key.StartsWith("metadata[", StringComparison.Ordinal)))
        {
            metadata[name["metadata[".Length..^1]] = value.ToString();
        }

        var id = NewId("pi_");
        var intent = new JsonObject
        {
            ["id"] = id,
            ["object"] = "payment_intent",
            ["amount"] = long.Parse(form["amount"].ToString(), CultureInfo.InvariantCulture),
            ["amount_capturable"] = 0L,
            ["amount_received"] = 0L,
            ["capture_method"] = "automatic",
            ["client_secret"] = $"{id}_secret_{RandomNumberGenerator.GetHexString(12, lowercase: true)}",
            ["confirmation_method"] = "automatic",
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["currency"] = form["currency"].ToString(),
            ["last_payment_error"] = null,
            ["latest_charge"] = null,
            ["livemode"] = false,
            ["metadata"] = metadata,
            ["next_action"] = null,
            ["payment_method"] = paymentMethod,
            ["payment_method_types"] = new JsonArray("card"),
            ["status"] = "requires_confirmation",
        };
        _intents[id] = intent;
        if (form.GetValueOrDefault("confirm") != "true")
        {
            return (200, Render(intent, form, "latest_charge"));
        }

        switch (paymentMethod)
        {
            case Declined or InsufficientFunds:
                var declineCode = paymentMethod == Declined ? "generic_decline" : "insufficient_funds";
                var message = paymentMethod == Declined ? "Your card was declined." : "Your card has insufficient funds.";
                intent["status"] = "requires_payment_method";
                intent["last_payment_error"] = Error("card_error", "card_declined", message, declineCode: declineCode);
                var error = Error("card_error", "card_declined", message, declineCode: declineCode);
                error["payment_intent"] = intent.DeepClone();
                return (402, new JsonObject { ["error"] = error }.ToJsonString());
            case ThreeDSecure:
                intent["status"] = "requires_action";
                intent["next_action"] = new JsonObject { ["type"] = "use_stripe_sdk", ["use_stripe_sdk"] = new JsonObject() };
                break;
            default:
                Capture(intent);
                break;
        }

        return (200, Render(intent, form, "latest_charge"));
    }

    private (int, string) Search(Dictionary<string, StringValues> form)
    {
        var query = SearchQuery().Match(form.GetValueOrDefault("query").ToString());
        if (!query.Success)
        {
            return (400, new JsonObject { ["error"] = Error("invalid_request_error", "parameter_invalid_string", "Invalid search query.", param: "query") }.ToJsonString());
        }

        var data = new JsonArray();
        foreach (var intent in _intents.Values.Where(i => i["metadata"]?[query.Groups["key"].Value]?.GetValue<string>() == query.Groups["value"].Value))
        {
            data.Add(JsonNode.Parse(Render(intent, form, "data.latest_charge")));
        }

        return (200, new JsonObject
        {
            ["object"] = "search_result",
            ["data"] = data,
            ["has_more"] = false,
            ["next_page"] = null,
            ["url"] = "/v1/payment_intents/search",
        }.ToJsonString());
    }

    private (int, string) Cancel(JsonObject intent)
    {
        var status = intent["status"]!.GetValue<string>();
        if (status is "succeeded" or "canceled")
        {
            return (400, new JsonObject
            {
                ["error"] = Error(
                    "invalid_request_error",
                    "payment_intent_unexpected_state",
                    $"You cannot cancel this PaymentIntent because it has a status of {status}."),
            }.ToJsonString());
        }

        intent["status"] = "canceled";
        intent["next_action"] = null;
        intent["cancellation_reason"] = "requested_by_customer";
        return (200, Render(intent, [], "latest_charge"));
    }

    private (int, string) Refund(Dictionary<string, StringValues> form)
    {
        var intentId = form.GetValueOrDefault("payment_intent").ToString();
        if (!_intents.TryGetValue(intentId, out var intent))
        {
            return Missing(intentId, "payment_intent");
        }

        if (intent["latest_charge"] is not JsonValue chargeId)
        {
            return (400, new JsonObject
            {
                ["error"] = Error("invalid_request_error", "payment_intent_unexpected_state", "This PaymentIntent does not have a successful charge to refund."),
            }.ToJsonString());
        }

        var charge = _charges[chargeId.GetValue<string>()];
        var left = charge["amount_captured"]!.GetValue<long>() - charge["amount_refunded"]!.GetValue<long>();
        var amount = form.TryGetValue("amount", out var given) ? long.Parse(given.ToString(), CultureInfo.InvariantCulture) : left;
        if (left == 0)
        {
            return (400, new JsonObject { ["error"] = Error("invalid_request_error", "charge_already_refunded", $"Charge {chargeId} has already been refunded.") }.ToJsonString());
        }

        if (amount > left)
        {
            return (400, new JsonObject
            {
                ["error"] = Error("invalid_request_error", "amount_too_large", $"Refund amount ({amount}) is greater than unrefunded amount on charge ({left})", param: "amount"),
            }.ToJsonString());
        }

        charge["amount_refunded"] = charge["amount_refunded"]!.GetValue<long>() + amount;
        charge["refunded"] = charge["amount_refunded"]!.GetValue<long>() == charge["amount_captured"]!.GetValue<long>();
        var metadata = new JsonObject();
        foreach (var (name, value) in form.Where(p => p.Key.StartsWith("metadata[", StringComparison.Ordinal)))
        {
            metadata[name["metadata[".Length..^1]] = value.ToString();
        }

        return (200, new JsonObject
        {
            ["id"] = NewId("re_"),
            ["object"] = "refund",
            ["amount"] = amount,
            ["charge"] = charge["id"]!.GetValue<string>(),
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["currency"] = charge["currency"]!.GetValue<string>(),
            ["metadata"] = metadata,
            ["payment_intent"] = intentId,
            ["reason"] = null,
            ["status"] = "succeeded",
        }.ToJsonString());
    }

    private void Capture(JsonObject intent)
    {
        var amount = intent["amount"]!.GetValue<long>();
        var charge = new JsonObject
        {
            ["id"] = NewId("ch_"),
            ["object"] = "charge",
            ["amount"] = amount,
            ["amount_captured"] = amount,
            ["amount_refunded"] = 0L,
            ["captured"] = true,
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["currency"] = intent["currency"]!.GetValue<string>(),
            ["paid"] = true,
            ["payment_intent"] = intent["id"]!.GetValue<string>(),
            ["refunded"] = false,
            ["status"] = "succeeded",
        };
        _charges[charge["id"]!.GetValue<string>()] = charge;
        intent["status"] = "succeeded";
        intent["next_action"] = null;
        intent["amount_received"] = amount;
        intent["latest_charge"] = charge["id"]!.GetValue<string>();
    }

    /// <summary>The PaymentIntent's JSON, with its latest charge expanded when the request asked (<c>expand[]</c>).</summary>
    private string Render(JsonObject intent, Dictionary<string, StringValues> form, string expandable)
    {
        var copy = (JsonObject)intent.DeepClone();
        var expand = form.Where(p => p.Key.StartsWith("expand", StringComparison.Ordinal)).SelectMany(p => p.Value.ToArray());
        if (expand.Contains(expandable) && copy["latest_charge"] is JsonValue chargeId)
        {
            copy["latest_charge"] = _charges[chargeId.GetValue<string>()].DeepClone();
        }

        return copy.ToJsonString();
    }

    private static (int, string) Missing(string id, string param) =>
        (404, new JsonObject { ["error"] = Error("invalid_request_error", "resource_missing", $"No such payment_intent: '{id}'", param: param) }.ToJsonString());

    private static JsonObject Error(string type, string? code, string message, string? declineCode = null, string? param = null)
    {
        var error = new JsonObject { ["type"] = type, ["message"] = message };
        if (code is not null)
        {
            error["code"] = code;
            error["doc_url"] = $"https://stripe.com/docs/error-codes/{code.Replace('_', '-')}";
        }

        if (declineCode is not null)
        {
            error["decline_code"] = declineCode;
        }

        if (param is not null)
        {
            error["param"] = param;
        }

        return error;
    }

    private static ResponseMessage Json(int status, string body)
    {
        var response = new ResponseMessage
        {
            StatusCode = status,
            BodyData = new BodyData { BodyAsString = body, DetectedBodyType = BodyType.String, Encoding = System.Text.Encoding.UTF8 },
        };
        response.AddHeader("Content-Type", "application/json");
        response.AddHeader("Request-Id", NewId("req_"));
        return response;
    }

    private static string NewId(string prefix) => prefix + RandomNumberGenerator.GetHexString(24, lowercase: true);

    [GeneratedRegex("^/v1/payment_intents/(?<id>pi_[A-Za-z0-9]+)(?<action>/cancel)?$")]
    private static partial Regex IntentPath();

    [GeneratedRegex(@"^metadata\['(?<key>[a-z_]+)'\]:'(?<value>[^']*)'$")]
    private static partial Regex SearchQuery();
}

/// <summary>A request the stand-in received: its form (or query) parameters and Idempotency-Key.</summary>
public sealed record StripeCall(string Method, string Path, string? IdempotencyKey, IReadOnlyDictionary<string, string> Parameters);
