using System.Reflection;

namespace Shop.Functions.Tests.Infrastructure;

/// <summary>Folders that the test project's build records as assembly metadata (see the .csproj).</summary>
public static class TestPaths
{
    /// <summary>The function app's build output: functions.metadata and host.json as the host reads them.</summary>
    public static string FunctionsOutput => Metadata("FunctionsOutputDirectory");

    /// <summary>The repository root: infra/, docs/, local.settings.sample.json.</summary>
    public static string RepositoryRoot => Metadata("RepositoryRoot");

    /// <summary>The tools/ folder of the restored Azure.Bicep.CommandLine.linux-x64 package.</summary>
    public static string BicepCliDirectory => Metadata("BicepCliDirectory");

    /// <summary>tests/node-tools: the pinned npm reference tools (<see cref="NodeTools"/>).</summary>
    public static string NodeToolsDirectory => Metadata("NodeToolsDirectory");

    public static string InRepository(params string[] parts) => Path.Combine([RepositoryRoot, .. parts]);

    private static string Metadata(string key)
    {
        var value = typeof(TestPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
        return Path.GetFullPath(value.Replace('\\', Path.DirectorySeparatorChar));
    }
}
