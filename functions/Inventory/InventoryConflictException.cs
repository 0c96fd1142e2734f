namespace Shop.Functions.Inventory;

/// <summary>
/// A stock row kept changing under every attempt to update it (a very hot SKU). Transient: try again later
/// (the saga's activity retry policy does). Lines of the order reserved before it stay reserved; a retry finds them
/// reserved, and <see cref="InventoryStore.ReleaseAsync"/> releases them.
/// </summary>
public sealed class InventoryConflictException : Exception
{
    public InventoryConflictException()
    {
    }

    public InventoryConflictException(string message)
        : base(message)
    {
    }

    public InventoryConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
