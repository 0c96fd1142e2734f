using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Docs;

/// <summary>
/// The README stays a front door (issue 17): short, with the run, deploy and test commands on its first screen, and a
/// way to every page of docs/. Detail goes to docs/.
/// </summary>
public sealed class ReadmeFrontDoor
{
    private static readonly string[] Lines = File.ReadAllLines(TestPaths.InRepository("README.md"));

    [Fact]
    public void IsUnder1200Words()
    {
        var words = Lines.Sum(line => line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length);

        Assert.True(words < 1200, $"README.md has {words} words (as wc -w counts them); move detail to docs/");
    }

    [Theory]
    [InlineData("ACCEPT_EULA=Y scripts/run-local.sh")]
    [InlineData("azd up")]
    [InlineData("dotnet test ")]
    public void ShowsTheCommandOnItsFirstScreen(string command) =>
        Assert.Contains(Lines.Take(60), line => line.StartsWith(command, StringComparison.Ordinal));

    [Fact]
    public void LinksEveryPageOfDocs()
    {
        var pages = Directory.EnumerateFiles(TestPaths.InRepository("docs"), "*.md").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        var readme = string.Join('\n', Lines);

        Assert.NotEmpty(pages);
        Assert.All(pages, page => Assert.Contains($"](docs/{page})", readme, StringComparison.Ordinal));
    }
}
