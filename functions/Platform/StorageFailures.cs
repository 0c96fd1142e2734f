using Azure;

namespace Shop.Functions.Platform;

public static class StorageFailures
{
    /// <summary>
    /// True when an Azure SDK call failed against the service or the network: a <see cref="RequestFailedException"/>,
    /// or the <see cref="AggregateException"/> of them that the SDK throws once its retries are used up.
    /// </summary>
    public static bool IsStorageFailure(this Exception exception) => exception switch
    {
        RequestFailedException => true,
        AggregateException aggregate => aggregate.InnerExceptions.All(inner => inner is RequestFailedException),
        _ => false,
    };
}

/// <summary>
/// A write failed and reading its row back failed too: it may or may not be stored (a response lost after the write was
/// carried out looks like a failure). The caller must be told so, never "nothing was stored".
/// </summary>
public sealed class WriteOutcomeUnknownException(string what, Exception inner)
    : Exception($"It is not known whether {what} was stored.", inner);
