using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Shop.Functions.Messaging.Consumers;

namespace Shop.Functions.Tests.Messaging.Consumers;

/// <summary>A message of the tests' own, so the pipeline's tests do not depend on any feature's contracts.</summary>
public sealed record TestCommand(string OrderId, int Quantity = 1);

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(TestCommand))]
public sealed partial class ConsumerTestJsonContext : JsonSerializerContext;

/// <summary>A handler whose verdict each test chooses; remembers what it was given.</summary>
public sealed class FakeHandler(Func<TestCommand, MessageContext, MessageOutcome>? handle = null, ILogger? logger = null)
    : IMessageHandler<TestCommand>
{
    public const string Subject = nameof(TestCommand);

    private readonly List<(TestCommand Message, MessageContext Context)> _calls = [];

    public IReadOnlyCollection<string> Subjects { get; } = [Subject, "TestCommandV2"];

    public JsonTypeInfo<TestCommand> TypeInfo => ConsumerTestJsonContext.Default.TestCommand;

    public IReadOnlyList<(TestCommand Message, MessageContext Context)> Calls => _calls;

    public static FakeHandler Failing(Exception error) => new((_, _) => throw error);

    public Task<MessageOutcome> HandleAsync(TestCommand message, MessageContext context, CancellationToken cancellationToken)
    {
        _calls.Add((message, context));
        if (logger?.IsEnabled(LogLevel.Information) == true)
        {
            logger.LogInformation("Handling order {HandledOrderId}", message.OrderId);
        }

        return Task.FromResult((handle ?? ((_, _) => MessageOutcome.Completed))(message, context));
    }
}
