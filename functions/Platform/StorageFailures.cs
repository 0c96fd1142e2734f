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
