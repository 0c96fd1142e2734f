using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Shop.Functions.Messaging.Consumers;

/// <summary>Reads a message body, and says briefly why it could not be read: no stack trace, no body dump.</summary>
internal static class MessageBody
{
    private const int PreviewLength = 32;

    public static bool TryRead<T>(BinaryData body, JsonTypeInfo<T> typeInfo, [NotNullWhen(true)] out T? message, [NotNullWhen(false)] out string? problem)
        where T : class
    {
        try
        {
            message = JsonSerializer.Deserialize(body.ToMemory().Span, typeInfo);
        }
        catch (JsonException ex)
        {
            message = null;
            problem = $"The body is not a valid {typeInfo.Type.Name}: {ex.Message} {Describe(body)}";
            return false;
        }

        if (message is null)
        {
            problem = $"The body is JSON null, not a {typeInfo.Type.Name}. {Describe(body)}";
            return false;
        }

        problem = null;
        return true;
    }

    private static string Describe(BinaryData body)
    {
        var bytes = body.ToMemory();
        if (bytes.IsEmpty)
        {
            return "The body is empty.";
        }

        var start = Encoding.UTF8.GetString(bytes.Span[..Math.Min(bytes.Length, PreviewLength)]);
        var preview = new string(start.Select(c => char.IsControl(c) ? ' ' : c).ToArray());
        return $"Body: {bytes.Length} bytes, starting \"{preview}\"{(bytes.Length > PreviewLength ? "..." : string.Empty)}.";
    }
}
