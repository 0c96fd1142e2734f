using System.Runtime.CompilerServices;

namespace Shop.Functions.Tests.Infrastructure;

/// <summary>
/// Test hosts watch no files. Every generic or web host (the Durable test engine's sidecar, the webhook receiver,
/// WireMock's server) would otherwise add its appsettings files with reload on change, which costs an inotify
/// instance per host on Linux, and the per-user limit is often 128: on a busy machine the suite then fails to start
/// hosts (<see cref="TestHostsGivenNoInotifyInstanceLeft"/>). Set before any host is built, for the whole test process.
/// </summary>
internal static class NoFileWatchers
{
    [ModuleInitializer]
    [System.Diagnostics.CodeAnalysis.SuppressMessage(
        "Usage", "CA2255", Justification = "Process settings that must hold before any test builds a host.")]
    internal static void Apply()
    {
        // Read by Host.CreateDefaultBuilder, HostApplicationBuilder and WebApplicationBuilder as hostBuilder:reloadConfigOnChange.
        Environment.SetEnvironmentVariable("DOTNET_hostBuilder__reloadConfigOnChange", "false");
        // Anything that still asks a PhysicalFileProvider to watch polls instead of taking an inotify instance.
        Environment.SetEnvironmentVariable("DOTNET_USE_POLLING_FILE_WATCHER", "true");
    }
}
