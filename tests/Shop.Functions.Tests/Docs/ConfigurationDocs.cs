using System.Text.Json;
using System.Text.RegularExpressions;
using Shop.Functions.Tests.Infra;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Docs;

/// <summary>
/// docs/configuration.md names every app setting that the Bicep sets (with its defaults, with the real providers and
/// with API Management) and every setting of local.settings.sample.json, each spelled out in full in a table row.
/// </summary>
public sealed partial class ConfigurationDocs
{
    private static readonly Lazy<HashSet<string>> Documented = new(() =>
        File.ReadAllLines(TestPaths.InRepository("docs", "configuration.md"))
            .Where(line => line.StartsWith('|'))
            .SelectMany(line => CodeSpan().Matches(line).Select(m => m.Groups["name"].Value))
            .ToHashSet(StringComparer.Ordinal));

    [Fact]
    public void ListsEverySettingOfTheLocalSample()
    {
        using var sample = JsonDocument.Parse(File.ReadAllText(TestPaths.InRepository("local.settings.sample.json")));
        var names = sample.RootElement.GetProperty("Values").EnumerateObject().Select(p => p.Name).ToList();

        Assert.NotEmpty(names);
        AssertDocumented(names, "local.settings.sample.json");
    }

    /// <summary>Slow on its own (three Bicep builds); in the whole suite the infra tests have built them already.</summary>
    [Fact]
    [Trait("Category", "Slow")]
    public void ListsEverySettingTheBicepSets()
    {
        var names = new[] { InfraSnapshot.Defaults, InfraSnapshot.WithRealProviders, InfraSnapshot.WithApiManagement }
            .SelectMany(snapshot => snapshot.AppSettings.Keys)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Contains("Orders__IdempotencySecret", names);
        AssertDocumented(names, "the Bicep");
    }

    private static void AssertDocumented(IEnumerable<string> names, string source)
    {
        var undocumented = names.Where(name => !Documented.Value.Contains(name)).ToList();
        Assert.True(
            undocumented.Count == 0,
            $"docs/configuration.md has no row naming these settings of {source} (spell each out in backticks): {string.Join(", ", undocumented)}");
    }

    [GeneratedRegex(@"`(?<name>[A-Za-z_][A-Za-z0-9_]*)`")]
    private static partial Regex CodeSpan();
}
