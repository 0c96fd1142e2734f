using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Infra;

/// <summary>infra/main.bicep compiles and lints cleanly with the pinned Bicep CLI, offline (no registry modules).</summary>
[Trait("Category", "Slow")]
public sealed class MainBicep
{
    private static string Infra => TestPaths.InRepository("infra");

    [Fact]
    public void BuildsWithoutErrorsOrWarnings()
    {
        var result = BicepCli.Run(Infra, "build", "main.bicep", "--stdout");

        Assert.True(result.ExitCode == 0, $"bicep build failed ({result.ExitCode}):\n{result.StandardError}");
        Assert.Empty(result.Diagnostics);
        Assert.Contains("\"$schema\"", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public void LintsWithoutErrorsOrWarnings()
    {
        var result = BicepCli.Run(Infra, "lint", "main.bicep");

        Assert.True(result.ExitCode == 0, $"bicep lint failed ({result.ExitCode}):\n{result.StandardError}");
        Assert.Empty(result.Diagnostics);
    }

    [Fact]
    public void ReportsAWarningAsADiagnostic()
    {
        // The two checks above are only as good as Diagnostics: a template with an unused variable must show up.
        var directory = Directory.CreateTempSubdirectory("shop-bicep-lint-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(directory, "unused.bicep"), "var unused = 1\n");

            var result = BicepCli.Run(directory, "lint", "unused.bicep");

            Assert.Contains(result.Diagnostics, d => d.Contains("no-unused-vars", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
