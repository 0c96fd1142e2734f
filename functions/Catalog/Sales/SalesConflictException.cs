namespace Shop.Functions.Catalog.Sales;

/// <summary>
/// A SKU's sales counter kept changing under every attempt to count an order into it (a very hot SKU). Transient: the
/// consumer pipeline retries the event later, and SKUs of the order counted by then are not counted again.
/// </summary>
public sealed class SalesConflictException : Exception
{
    public SalesConflictException()
    {
    }

    public SalesConflictException(string message)
        : base(message)
    {
    }

    public SalesConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
