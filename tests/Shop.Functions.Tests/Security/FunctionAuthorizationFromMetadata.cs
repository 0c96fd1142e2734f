using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Security;

/// <summary>
/// Issue 9, authorization, read from the functions.metadata the host enforces: every write and every operations endpoint
/// needs a key, and the anonymous endpoints are exactly a reviewed list of reads. A new anonymous endpoint, or a write
/// without a key, fails here until someone decides otherwise on purpose (docs/security.md).
/// </summary>
public sealed class FunctionAuthorizationFromMetadata
{
    /// <summary>The reads anyone may make, and why (docs/security.md, "Who can call what").</summary>
    public static readonly IReadOnlyDictionary<string, string> AnonymousReads = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["GetOrder"] = "an order id is a 128-bit capability; the answer leaves out contact, address and payment details",
        ["GetOrderStatus"] = "the status monitor the 202 points to: same capability, less data",
        ["ListCatalogItems"] = "the public catalog",
        ["GetCatalogItem"] = "the public catalog",
        ["GetHealth"] = "probes; it names no host and no error message",
        ["GetOpenApiDocument"] = "the public contract of the API",
    };

    /// <summary>
    /// The writes that cannot carry a function key because a provider calls them, and what protects them instead
    /// (docs/security.md, "Who can call what").
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> SignedWrites = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ReceiveStripeEvent"] = "Stripe sends no function key: every request needs a valid Stripe-Signature (HMAC-SHA256 with the endpoint secret, 5 min tolerance), else 401 and nothing is written",
    };

    /// <summary>The operations endpoints (admin key only), and what they expose (docs/security.md, "Who can call what").</summary>
    public static readonly IReadOnlyDictionary<string, string> OperationsEndpoints = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ListDeadLetters"] = "dead letters with the start of their bodies, which may hold customer data",
        ["ReplayDeadLetter"] = "resubmits a message to its entity",
        ["ListOrdersNeedingAttention"] = "order ids (capabilities: anyone holding one reads the order) and why each needs a person",
        ["GetStock"] = "a SKU's stock level",
        ["ReceiveStock"] = "adds units to a SKU's stock (once per receipt id)",
    };

    private static readonly string[] WriteMethods = ["post", "put", "patch", "delete"];

    [Fact]
    public void EveryWriteNeedsAFunctionOrAdminKey()
    {
        var writes = FunctionsMetadata.Http.Where(f => f.Methods.Any(m => WriteMethods.Contains(m)) && !SignedWrites.ContainsKey(f.Name)).ToList();

        Assert.NotEmpty(writes);
        Assert.All(writes, f => Assert.True(
            IsLevel(f, "function") || IsLevel(f, "admin"),
            $"{f.Name} ({string.Join(",", f.Methods)} {f.Route}) writes but its authLevel is {f.AuthLevel}."));
    }

    [Fact]
    public void EveryOperationsEndpointNeedsTheAdminKey()
    {
        var operations = FunctionsMetadata.Http.Where(f => f.Route.StartsWith("ops/", StringComparison.OrdinalIgnoreCase)).ToList();

        Assert.NotEmpty(operations);
        Assert.All(operations, f => Assert.True(IsLevel(f, "admin"), $"{f.Name} ({f.Route}) is an operations endpoint but its authLevel is {f.AuthLevel}."));
    }

    [Fact]
    public void OperationsEndpointsAreExactlyTheReviewedOnes()
    {
        var operations = FunctionsMetadata.Http.Where(f => f.Route.StartsWith("ops/", StringComparison.OrdinalIgnoreCase)).Select(f => f.Name);

        Assert.Equal(OperationsEndpoints.Keys.Order(StringComparer.Ordinal), operations.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void AnonymousEndpointsAreExactlyTheReviewedReads()
    {
        var anonymous = FunctionsMetadata.Http.Where(f => IsLevel(f, "anonymous") && !SignedWrites.ContainsKey(f.Name)).ToList();

        Assert.Equal(AnonymousReads.Keys.Order(StringComparer.Ordinal), anonymous.Select(f => f.Name).Order(StringComparer.Ordinal));
        Assert.All(anonymous, f => Assert.Equal(["get"], f.Methods));
        Assert.All(anonymous, f => Assert.False(f.Route.StartsWith("ops/", StringComparison.OrdinalIgnoreCase), $"{f.Name} is anonymous under ops/."));
    }

    [Fact]
    public void SignedWritesAreExactlyTheReviewedOnes()
    {
        var signed = FunctionsMetadata.Http.Where(f => SignedWrites.ContainsKey(f.Name)).ToList();

        Assert.Equal(SignedWrites.Keys.Order(StringComparer.Ordinal), signed.Select(f => f.Name).Order(StringComparer.Ordinal));
        Assert.All(signed, f => Assert.Equal(["post"], f.Methods));
        Assert.All(signed, f => Assert.True(IsLevel(f, "anonymous"), $"{f.Name} is reviewed as a signed anonymous write but its authLevel is {f.AuthLevel}."));
    }

    [Fact]
    public void EveryHttpFunctionHasAKnownAuthLevel()
    {
        Assert.All(FunctionsMetadata.Http, f => Assert.Contains(f.AuthLevel.ToLowerInvariant(), new[] { "anonymous", "function", "admin" }));
    }

    private static bool IsLevel(HttpFunction function, string level) => string.Equals(function.AuthLevel, level, StringComparison.OrdinalIgnoreCase);
}
