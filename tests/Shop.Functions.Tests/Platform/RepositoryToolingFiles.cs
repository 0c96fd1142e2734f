using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Platform;

/// <summary>
/// The files the ecosystem's tools read (docs/development.md): the GitHub workflows pass the workflow schema
/// (<c>@action-validator/cli</c>) and do what azd and the README say; <c>.devcontainer/devcontainer.json</c>, as the Dev
/// Containers CLI reads it, passes its schema (Ajv, <c>tests/node-tools/schemas/devcontainer.schema.json</c>) and has
/// the tools and ports of a local run; the VS Code tasks host the functions build output; the shell scripts parse.
/// Each validator is also shown a broken file, so a check that stopped checking would fail.
/// </summary>
public sealed class RepositoryToolingFiles
{
    private static readonly JsonDocumentOptions Jsonc = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
    private static readonly Lazy<Task<JsonObject>> CiWorkflow = new(() => ReadWorkflowAsync("ci.yml"));
    private static readonly Lazy<Task<JsonObject>> AzureDevWorkflow = new(() => ReadWorkflowAsync("azure-dev.yml"));
    private static readonly Lazy<Task<JsonObject>> Devcontainer = new(() => ReadDevcontainerAsync(TestPaths.RepositoryRoot));

    /// <summary>Every workflow in .github/workflows, so one added later is validated too.</summary>
    public static TheoryData<string> Workflows() =>
        new(Directory.EnumerateFiles(TestPaths.InRepository(".github", "workflows"))
            .Where(f => f.EndsWith(".yml", StringComparison.Ordinal) || f.EndsWith(".yaml", StringComparison.Ordinal))
            .Select(f => Path.GetFileName(f))
            .Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Workflows))]
    public async Task WorkflowPassesTheGitHubWorkflowSchema(string workflow)
    {
        var (exitCode, stdout, stderr) = await ValidateWorkflowAsync(TestPaths.InRepository(".github", "workflows", workflow));

        Assert.True(exitCode == 0, $"action-validator rejected {workflow} (exit {exitCode}):{Environment.NewLine}{stdout}{stderr}");
    }

    [Fact]
    public async Task WorkflowSchemaCheckRejectsAMisspelledStepKey()
    {
        var file = Path.Combine(Path.GetTempPath(), $"shop-workflow-{Guid.NewGuid():N}.yml");
        await File.WriteAllTextAsync(file, "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: dotnet test\n        shel: bash\n");
        try
        {
            var (exitCode, stdout, stderr) = await ValidateWorkflowAsync(file);

            Assert.NotEqual(0, exitCode);
            Assert.Contains("Additional property 'shel' is not allowed", stdout + stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task CiRunsTheReadmeTestCommandOnUbuntuWithDotNet10AndNode20()
    {
        var workflow = await CiWorkflow.Value;
        var job = Assert.Single(workflow["jobs"]!.AsObject()).Value!;
        var steps = job["steps"]!.AsArray();

        Assert.StartsWith("ubuntu-", (string?)job["runs-on"], StringComparison.Ordinal);
        var testCommand = ReadmeTestCommand();
        var runs = steps.Select(s => ((string?)s!["run"])?.Trim()).OfType<string>().ToList();
        Assert.True(
            runs.Any(run => run.StartsWith(testCommand, StringComparison.Ordinal)),
            $"ci.yml runs none of the README's `{testCommand}`; it runs: {string.Join(" | ", runs)}");

        var dotnet = Assert.Single(steps, s => ((string?)s!["uses"])?.StartsWith("actions/setup-dotnet@", StringComparison.Ordinal) == true)!;
        Assert.Equal("global.json", (string?)dotnet["with"]!["global-json-file"]);
        Assert.StartsWith("10.", GlobalJsonSdkVersion(), StringComparison.Ordinal);
        var node = Assert.Single(steps, s => ((string?)s!["uses"])?.StartsWith("actions/setup-node@", StringComparison.Ordinal) == true)!;
        Assert.Equal("20", (string?)node["with"]!["node-version"]);

        // Real runners restore the real Service Bus extension; the stand-in is for .ci/run's package mirror only.
        Assert.DoesNotContain("UseServiceBusExtensionStandIn", workflow.ToJsonString(), StringComparison.Ordinal);
        var ciRun = File.ReadAllText(TestPaths.InRepository(".ci", "run"));
        Assert.Contains("UseServiceBusExtensionStandIn=true", ciRun, StringComparison.Ordinal);
        Assert.True(
            ciRun.Split('\n').Select(line => line.Trim()).Any(line => line == testCommand || line.StartsWith(testCommand + " ", StringComparison.Ordinal)),
            $".ci/run runs none of the README's `{testCommand}`");
    }

    [Fact]
    public async Task AzureDevWorkflowSignsInWithFederatedCredentialsThenProvisionsAndDeploys()
    {
        var workflow = await AzureDevWorkflow.Value;

        Assert.Equal("write", (string?)workflow["permissions"]!["id-token"]);
        Assert.Equal(new[] { "main" }, workflow["on"]!["push"]!["branches"]!.AsArray().Select(b => (string?)b));
        Assert.True(workflow["on"]!.AsObject().ContainsKey("workflow_dispatch"), "azure-dev.yml cannot be started by hand (workflow_dispatch)");

        var job = Assert.Single(workflow["jobs"]!.AsObject()).Value!;
        foreach (var variable in new[] { "AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_SUBSCRIPTION_ID", "AZURE_ENV_NAME", "AZURE_LOCATION" })
        {
            Assert.Equal($"${{{{ vars.{variable} }}}}", (string?)job["env"]![variable]);
        }

        var steps = job["steps"]!.AsArray().Select(s => s!.AsObject()).ToList();
        Assert.Contains(steps, s => ((string?)s["uses"])?.StartsWith("Azure/setup-azd@", StringComparison.Ordinal) == true);
        var login = IndexOfRun(steps, "azd auth login");
        var provision = IndexOfRun(steps, "azd provision --no-prompt");
        var deploy = IndexOfRun(steps, "azd deploy --no-prompt");
        Assert.True(login >= 0 && login < provision && provision < deploy, $"expected login < provision < deploy, got {login}, {provision}, {deploy}");

        var loginCommand = (string)steps[login]["run"]!;
        Assert.Contains("--federated-credential-provider \"github\"", loginCommand, StringComparison.Ordinal);
        Assert.Contains("--client-id \"$Env:AZURE_CLIENT_ID\"", loginCommand, StringComparison.Ordinal);
        Assert.Contains("--tenant-id \"$Env:AZURE_TENANT_ID\"", loginCommand, StringComparison.Ordinal);
        Assert.DoesNotContain("client-secret", workflow.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DevcontainerAsTheDevContainersCliReadsItPassesItsSchema()
    {
        var (valid, errors) = await ValidateDevcontainerAsync(await Devcontainer.Value);

        Assert.True(valid, string.Join(Environment.NewLine, errors));
    }

    [Fact]
    public async Task DevcontainerSchemaCheckRejectsAMisspelledPropertyAndABadPort()
    {
        var workspace = Directory.CreateTempSubdirectory("shop-devcontainer-");
        try
        {
            Directory.CreateDirectory(Path.Combine(workspace.FullName, ".devcontainer"));
            await File.WriteAllTextAsync(
                Path.Combine(workspace.FullName, ".devcontainer", "devcontainer.json"),
                """{ "image": "mcr.microsoft.com/devcontainers/base:bookworm", "forwardPort": [7071], "forwardPorts": ["seventy"] }""");

            var (valid, errors) = await ValidateDevcontainerAsync(await ReadDevcontainerAsync(workspace.FullName));

            Assert.False(valid);
            Assert.Contains(errors, e => e.Contains("'forwardPort'", StringComparison.Ordinal));
            Assert.Contains(errors, e => e.StartsWith("/forwardPorts/0", StringComparison.Ordinal));
        }
        finally
        {
            workspace.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task DevcontainerHasTheToolsAndPortsOfALocalRun()
    {
        var configuration = await Devcontainer.Value;
        var features = configuration["features"]!.AsObject();

        JsonNode Feature(string id) =>
            features.Single(f => f.Key.StartsWith(id + ":", StringComparison.Ordinal)).Value ?? new JsonObject();
        var sdk = GlobalJsonSdkVersion();
        Assert.Equal(sdk[..sdk.IndexOf('.', sdk.IndexOf('.') + 1)], (string?)Feature("ghcr.io/devcontainers/features/dotnet")["version"]);
        Assert.Equal("20", (string?)Feature("ghcr.io/devcontainers/features/node")["version"]);
        Feature("ghcr.io/devcontainers/features/azure-cli");
        Feature("ghcr.io/devcontainers/features/docker-in-docker");
        Feature("ghcr.io/azure/azure-dev/azd");
        Assert.Single(features, f => f.Key.Contains("/azure-functions-core-tools:", StringComparison.Ordinal));

        var ports = configuration["forwardPorts"]!.AsArray().Select(p => p!.GetValue<int>()).ToHashSet();
        Assert.Contains(7071, ports);
        Assert.Superset(new HashSet<int> { 10000, 10001, 10002, 5672, 1080, 1025 }, ports);
        Assert.Contains("dotnet restore", (string?)configuration["postCreateCommand"], StringComparison.Ordinal);
    }

    [Fact]
    public void VsCodeFuncTaskHostsTheFunctionsBuildOutput()
    {
        var tasks = ReadJsonc(".vscode", "tasks.json")["tasks"]!.AsArray().Select(t => t!.AsObject()).ToList();
        var targetFramework = Path.GetFileName(Path.TrimEndingDirectorySeparator(TestPaths.FunctionsOutput));

        var host = Assert.Single(tasks, t => (string?)t["type"] == "func");
        Assert.Equal("host start", (string?)host["command"]);
        Assert.Equal($"${{workspaceFolder}}/functions/bin/Debug/{targetFramework}", (string?)host["options"]!["cwd"]);
        Assert.Equal("$func-dotnet-watch", (string?)host["problemMatcher"]);
        Assert.True((bool?)host["isBackground"], "the func task must run in the background for the debugger to attach");

        var build = Assert.Single(tasks, t => (string?)t["label"] == (string?)host["dependsOn"]);
        Assert.Equal(new[] { "dotnet", "build" }, new[] { (string?)build["command"], (string?)build["args"]![0] });
        Assert.Equal("${workspaceFolder}/functions", (string?)build["options"]!["cwd"]);

        var settings = ReadJsonc(".vscode", "settings.json");
        Assert.Equal("functions", (string?)settings["azureFunctions.projectSubpath"]);
        Assert.Equal($"functions/bin/Release/{targetFramework}/publish", (string?)settings["azureFunctions.deploySubpath"]);
        Assert.Equal("~4", (string?)settings["azureFunctions.projectRuntime"]);
        Assert.Equal("C#", (string?)settings["azureFunctions.projectLanguage"]);
        Assert.Single(tasks, t => (string?)t["label"] == (string?)settings["azureFunctions.preDeployTask"]);
    }

    [Fact]
    public void VsCodeLaunchAttachesToTheFunctionsWorker()
    {
        var configuration = Assert.Single(ReadJsonc(".vscode", "launch.json")["configurations"]!.AsArray())!;

        Assert.Equal("coreclr", (string?)configuration["type"]);
        Assert.Equal("attach", (string?)configuration["request"]);
        Assert.Equal("${command:azureFunctions.pickProcess}", (string?)configuration["processId"]);
    }

    [Fact]
    public async Task VsCodeRecommendsTheFunctionsToolsAndTheDevcontainerInstallsThem()
    {
        var recommended = ReadJsonc(".vscode", "extensions.json")["recommendations"]!.AsArray()
            .Select(e => ((string)e!).ToLowerInvariant()).ToHashSet();
        var installed = (await Devcontainer.Value)["customizations"]!["vscode"]!["extensions"]!.AsArray()
            .Select(e => ((string)e!).ToLowerInvariant()).ToHashSet();

        Assert.Superset(
            new HashSet<string> { "ms-azuretools.vscode-azurefunctions", "ms-dotnettools.csharp", "ms-azuretools.vscode-bicep", "azurite.azurite", "humao.rest-client" },
            recommended);
        Assert.Subset(installed, recommended);
    }

    [Theory]
    [InlineData("scripts", "run-local.sh")]
    [InlineData(".ci", "run")]
    public async Task ShellScriptParses(string folder, string script)
    {
        var path = TestPaths.InRepository(folder, script);
        Assert.True(File.Exists(path), $"{path} is missing");

        var (exitCode, output) = await ChildProcess.RunAsync("bash", ["-n", path], TestPaths.InRepository(), TimeSpan.FromMinutes(1), CancellationToken.None);

        Assert.True(exitCode == 0, $"bash -n {folder}/{script} exited {exitCode}: {output}");
    }

    [Fact]
    public async Task CiSaysWhyTestsFailedOncePerCause()
    {
        // A results file as `dotnet test --logger trx` writes it: two failures of one cause, one of another, a pass.
        var trx = Path.Combine(Path.GetTempPath(), $"shop-ci-{Guid.NewGuid():N}.trx");
        File.WriteAllText(trx, """
            <?xml version="1.0" encoding="utf-8"?>
            <TestRun xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010"><Results>
            <UnitTestResult testName="Shop.A.One" outcome="Failed"><Output><ErrorInfo>
            <Message>System.InvalidOperationException : Collection fixture type 'AzuriteFixture' threw in InitializeAsync
            ---- `npm ci` failed 3 times</Message><StackTrace>   at Shop.Functions.Tests.Infrastructure.NpmInstall.EnsureAsync()</StackTrace>
            </ErrorInfo></Output></UnitTestResult>
            <UnitTestResult testName="Shop.A.Two" outcome="Failed"><Output><ErrorInfo>
            <Message>System.InvalidOperationException : Collection fixture type 'AzuriteFixture' threw in InitializeAsync
            ---- `npm ci` failed 3 times</Message></ErrorInfo></Output></UnitTestResult>
            <UnitTestResult testName="Shop.B.Three" outcome="Failed"><Output><ErrorInfo>
            <Message>Assert.Equal() Failure: Values differ</Message></ErrorInfo></Output></UnitTestResult>
            <UnitTestResult testName="Shop.C.Four" outcome="Passed" />
            </Results></TestRun>
            """);
        try
        {
            var (exitCode, output) = await ChildProcess.RunAsync(
                "python3", [TestPaths.InRepository(".ci", "failures.py"), trx], TestPaths.InRepository(), TimeSpan.FromMinutes(1), CancellationToken.None);

            Assert.True(exitCode == 0, $".ci/failures.py exited {exitCode}: {output}");
            Assert.Contains("--- 2 test(s), e.g. Shop.A.One:", output, StringComparison.Ordinal);
            Assert.Contains("`npm ci` failed 3 times", output, StringComparison.Ordinal);
            Assert.Contains("at Shop.Functions.Tests.Infrastructure.NpmInstall.EnsureAsync()", output, StringComparison.Ordinal);
            Assert.Contains("--- 1 test(s), e.g. Shop.B.Three:", output, StringComparison.Ordinal);
            Assert.DoesNotContain("Shop.C.Four", output, StringComparison.Ordinal);
            Assert.True(
                output.IndexOf("--- 2 test(s)", StringComparison.Ordinal) < output.IndexOf("--- 1 test(s)", StringComparison.Ordinal),
                $"the commonest cause should come first:{Environment.NewLine}{output}");
        }
        finally
        {
            File.Delete(trx);
        }
    }

    /// <summary>The first command of a fenced bash block in the README that runs <c>dotnet test</c>.</summary>
    private static string ReadmeTestCommand()
    {
        var readme = File.ReadAllText(TestPaths.InRepository("README.md"));
        var command = Regex.Matches(readme, "```bash\\n(.*?)```", RegexOptions.Singleline)
            .SelectMany(block => block.Groups[1].Value.Split('\n'))
            .Select(line => line.Trim())
            .FirstOrDefault(line => line.StartsWith("dotnet test", StringComparison.Ordinal));
        Assert.True(command is not null, "README.md has no ```bash block running `dotnet test`");
        return command!;
    }

    private static string GlobalJsonSdkVersion() =>
        (string)JsonNode.Parse(File.ReadAllText(TestPaths.InRepository("global.json")))!["sdk"]!["version"]!;

    private static int IndexOfRun(List<JsonObject> steps, string command) =>
        steps.FindIndex(s => ((string?)s["run"])?.Contains(command, StringComparison.Ordinal) == true);

    private static JsonObject ReadJsonc(params string[] path) =>
        JsonNode.Parse(File.ReadAllText(TestPaths.InRepository(path)), documentOptions: Jsonc)!.AsObject();

    private static async Task<(int ExitCode, string Stdout, string Stderr)> ValidateWorkflowAsync(string file) =>
        await NodeTools.RunAsync(["node_modules/@action-validator/cli/cli.mjs", file]);

    private static async Task<JsonObject> ReadWorkflowAsync(string workflow)
    {
        var (exitCode, stdout, stderr) = await NodeTools.RunAsync(["yaml-to-json.cjs", TestPaths.InRepository(".github", "workflows", workflow)]);
        Assert.True(exitCode == 0, $"{workflow} is not valid YAML: {stderr}");
        return JsonNode.Parse(stdout)!.AsObject();
    }

    /// <summary>
    /// <c>devcontainer read-configuration</c> parses the file as editors do (comments, variables). It first asks Docker
    /// for a running container of the workspace; <c>true</c> stands in for a Docker that has none, so no daemon is needed.
    /// </summary>
    private static async Task<JsonObject> ReadDevcontainerAsync(string workspaceFolder)
    {
        var (exitCode, stdout, stderr) = await NodeTools.RunAsync(
            ["node_modules/@devcontainers/cli/devcontainer.js", "read-configuration", "--workspace-folder", workspaceFolder, "--docker-path", "true"]);
        Assert.True(exitCode == 0, $"devcontainer read-configuration failed (exit {exitCode}): {stderr}");
        var configuration = JsonNode.Parse(stdout)!["configuration"]!.AsObject();
        configuration.Remove("configFilePath"); // added by the CLI, not part of the file
        return configuration;
    }

    private static async Task<(bool Valid, IReadOnlyList<string> Errors)> ValidateDevcontainerAsync(JsonObject configuration)
    {
        var (exitCode, stdout, stderr) = await NodeTools.RunAsync(
            ["validate-json.cjs", Path.Combine("schemas", "devcontainer.schema.json")], configuration.ToJsonString());
        Assert.True(exitCode == 0, $"validate-json.cjs failed (exit {exitCode}): {stderr}");
        var verdict = JsonNode.Parse(stdout)!;
        var errors = verdict["errors"]!.AsArray().Select(e => $"{e!["path"]}: {e["message"]}").ToList();
        return ((bool)verdict["valid"]!, errors);
    }
}
