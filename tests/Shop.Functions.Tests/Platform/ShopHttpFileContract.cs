using System.Text.RegularExpressions;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Platform;

/// <summary>functions/Shop.http has a request for every HTTP function (and method) the host routes.</summary>
public sealed partial class ShopHttpFileContract
{
    [Fact]
    public void HasARequestForEveryHttpFunction()
    {
        // functions/bin/{Configuration}/{TargetFramework}/ -> functions/
        var file = TestPaths.InRepository("functions", "Shop.http");
        var requests = RequestLine().Matches(File.ReadAllText(file))
            .Select(m => (Method: m.Groups[1].Value.ToLowerInvariant(), Path: Variable().Replace(m.Groups[2].Value, "x")))
            .ToList();

        foreach (var function in FunctionsMetadata.Http)
        {
            var route = new Regex("^" + RouteParameter().Replace(Regex.Escape(function.Route.Trim('/')), "[^/]+") + "$");
            foreach (var method in function.Methods)
            {
                Assert.True(
                    requests.Any(r => r.Method == method && route.IsMatch(r.Path)),
                    $"Shop.http has no {method.ToUpperInvariant()} request for {function.Name} ({function.Route}).");
            }
        }
    }

    [GeneratedRegex(@"^(GET|POST|PUT|PATCH|DELETE) \{\{baseUrl\}\}/([^?\s]*)", RegexOptions.Multiline)]
    private static partial Regex RequestLine();

    [GeneratedRegex(@"\{\{[^}]+\}\}")]
    private static partial Regex Variable();

    // Regex.Escape turns '{' into '\{' and leaves '}' alone.
    [GeneratedRegex(@"\\\{[^}]+\}")]
    private static partial Regex RouteParameter();
}
