using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Docs;

/// <summary>
/// Every link in the repository's Markdown works in a clone: relative links name a file (and heading) of the
/// repository, nothing points outside it (no <c>../shared/</c>), and the rest go to public sites
/// (<see cref="MarkdownLinkCheck"/>). The check itself is shown broken links, so a check that stopped checking fails.
/// </summary>
public sealed class MarkdownLinks
{
    public static TheoryData<string> MarkdownFiles() => new(MarkdownLinkCheck.MarkdownFiles(TestPaths.RepositoryRoot));

    [Theory]
    [MemberData(nameof(MarkdownFiles))]
    public void EveryLinkStaysInTheRepositoryOrGoesToAPublicSite(string file)
    {
        var problems = MarkdownLinkCheck.Problems(TestPaths.RepositoryRoot, file);

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void FindsTheReadmeAndTheDocsButNoInstalledPackage()
    {
        var files = MarkdownLinkCheck.MarkdownFiles(TestPaths.RepositoryRoot);

        Assert.Contains("README.md", files);
        Assert.Contains("docs/architecture.md", files);
        Assert.Contains("docs/configuration.md", files);
        Assert.DoesNotContain(files, f => f.Contains("node_modules", StringComparison.Ordinal) || f.StartsWith("tests/azurite/", StringComparison.Ordinal));
    }

    [Fact]
    public void ReportsBrokenFilesAndAnchorsLinksOutOfTheRepositoryAndPrivateHosts()
    {
        var root = Directory.CreateTempSubdirectory("shop-markdown-");
        try
        {
            Directory.CreateDirectory(Path.Combine(root.FullName, "docs"));
            File.WriteAllText(Path.Combine(root.FullName, "docs", "a.md"), "# A\n\n## The outbox: sweep cost (`Outbox__SweepAge`)\n\n## Tests\n\n## Tests\n");
            File.WriteAllText(Path.Combine(root.FullName, "README.md"), string.Join('\n',
                "# Shop",
                "[good](docs/a.md) [good anchor](docs/a.md#the-outbox-sweep-cost-outbox__sweepage) [second](docs/a.md#tests-1)",
                "[site](https://learn.microsoft.com/azure/azure-functions/) [folder](docs/) [self](#shop) <https://example.com/x>",
                "`[in code](missing.md)`",
                "```",
                "[in a block](missing.md)",
                "```",
                "[missing file](docs/b.md)",
                "[missing anchor](docs/a.md#no-such-heading)",
                "[design](../shared/DESIGN.md)",
                "[local](http://localhost:1080) [private](https://10.0.0.4/x)",
                "[file](file:///etc/passwd)",
                "[ref]: docs/c.md",
                "<a href=\"#nowhere\">x</a>"));

            var problems = MarkdownLinkCheck.Problems(root.FullName, "README.md");

            Assert.Equal(
                [
                    "README.md:8: (docs/b.md) names no file or folder of the repository",
                    "README.md:9: (docs/a.md#no-such-heading) names no heading of docs/a.md",
                    "README.md:10: (../shared/DESIGN.md) leaves the repository",
                    "README.md:11: (http://localhost:1080) is not a public site",
                    "README.md:11: (https://10.0.0.4/x) is not a public site",
                    "README.md:12: (file:///etc/passwd) is neither a web address nor a path in the repository",
                    "README.md:13: (docs/c.md) names no file or folder of the repository",
                    "README.md:14: (#nowhere) names no heading of README.md",
                ],
                problems);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("The outbox index: what the sweeper reads", "the-outbox-index-what-the-sweeper-reads")]
    [InlineData("Order submission (`POST /api/orders`)", "order-submission-post-apiorders")]
    [InlineData("Customer e-mails (`notifications`, `send-email`)", "customer-e-mails-notifications-send-email")]
    [InlineData("Where a webhook may point (SSRF)", "where-a-webhook-may-point-ssrf")]
    [InlineData("Shop: design", "shop-design")]
    [InlineData("See [the saga](saga.md) → **now**", "see-the-saga--now")]
    public void SlugsHeadingsAsGitHubDoes(string heading, string slug) =>
        Assert.Equal(slug, MarkdownLinkCheck.Slug(heading));
}
