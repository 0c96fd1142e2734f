using Microsoft.AspNetCore.Http;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Tests.Webhooks.Delivery;
using Shop.Functions.Webhooks.Delivery;
using StandardWebhooks;
using StandardWebhooks.Diagnostics;
using Xunit;

namespace Shop.Functions.Tests.Webhooks.Receivers;

/// <summary>
/// docs/webhooks.md shows the receiver recipes that <see cref="DeliveriesAsReferenceReceiversSeeThem"/> runs, as they
/// are in the tests, and its warning about the NuGet <c>StandardWebhooks</c> verifier is still true.
/// </summary>
public sealed class ReceiverRecipesInDocs
{
    private static readonly string Page = File.ReadAllText(TestPaths.InRepository("docs", "webhooks.md")).ReplaceLineEndings("\n");

    [Fact]
    public void ShowsTheCSharpRecipeAsTested() =>
        Assert.Contains(Recipe(Path.Combine(TestPaths.RepositoryRoot, "tests", "Shop.Functions.Tests", "Webhooks", "Receivers", "ShopWebhookVerifier.cs")), Page, StringComparison.Ordinal);

    [Fact]
    public void ShowsTheJavaScriptRecipeAsTested() =>
        Assert.Contains(Recipe(Path.Combine(NodeTools.Directory, "receiver-recipe.cjs")), Page, StringComparison.Ordinal);

    [Fact]
    public void TheNuGetVerifierRejectsADeliveryAReceiverWithThePreviousSecretShouldAccept()
    {
        const string newSecret = WebhookDeliveryTest.OtherSecret;
        const string oldSecret = WebhookDeliveryTest.Secret;
        const string body = """{"specversion":"1.0","id":"e1","type":"OrderAccepted","source":"/shop/orders"}""";
        var now = DateTimeOffset.UtcNow;
        var headers = new HeaderDictionary
        {
            ["webhook-id"] = "dlv_1",
            ["webhook-timestamp"] = now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["webhook-signature"] = WebhookSignatures.Sign("dlv_1", now, body, [newSecret, oldSecret]),
        };

        new StandardWebhook(newSecret).Verify(body, headers);

        // If this stops throwing, the package has been fixed: update the warning in docs/webhooks.md.
        Assert.Throws<WebhookVerificationException>(() => new StandardWebhook(oldSecret).Verify(body, headers));
        Assert.True(ShopWebhookVerifier.IsAuthentic([oldSecret], "dlv_1", headers["webhook-timestamp"], headers["webhook-signature"], System.Text.Encoding.UTF8.GetBytes(body), now));
    }

    private static string Recipe(string file)
    {
        var text = File.ReadAllText(file).ReplaceLineEndings("\n");
        var start = text.IndexOf("// <recipe>\n", StringComparison.Ordinal) + "// <recipe>\n".Length;
        var end = text.IndexOf("// </recipe>", StringComparison.Ordinal);
        Assert.True(start > 12 && end > start, $"{file} has no // <recipe> ... // </recipe> region.");
        return text[start..end];
    }
}
