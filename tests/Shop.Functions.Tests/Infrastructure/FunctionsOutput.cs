using System.Reflection;
using System.Text.Json;

namespace Shop.Functions.Tests.Infrastructure;

/// <summary>An HTTP function as the Functions host will route it: name, route (under <c>api/</c>), methods, auth level.</summary>
public sealed record HttpFunction(string Name, string Route, IReadOnlyList<string> Methods, string AuthLevel);

/// <summary>The functions project's build output: where it is, and the HTTP functions of its functions.metadata.</summary>
public static class FunctionsOutput
{
    public static string Directory()
    {
        var value = typeof(FunctionsOutput).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "FunctionsOutputDirectory").Value!;
        return Path.GetFullPath(value.Replace('\\', Path.DirectorySeparatorChar));
    }

    public static IReadOnlyList<HttpFunction> HttpFunctions()
    {
        var path = Path.Combine(Directory(), "functions.metadata");
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"No functions.metadata at {path}: build functions/Shop.Functions.csproj first.");
        }

        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return
        [
            .. from function in document.RootElement.EnumerateArray()
               from binding in function.GetProperty("bindings").EnumerateArray()
               where binding.GetProperty("type").GetString() == "httpTrigger"
               select new HttpFunction(
                   function.GetProperty("name").GetString()!,
                   binding.GetProperty("route").GetString()!,
                   [.. binding.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!.ToLowerInvariant())],
                   binding.GetProperty("authLevel").GetString()!),
        ];
    }
}
