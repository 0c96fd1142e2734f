using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Shop.Functions.Platform;

namespace Shop.Functions.Tests.Reliability;

/// <summary>
/// Every row of the app's tables (<see cref="StorageTables.InUse"/>) and every blob container and blob of the account,
/// each with its ETag: two snapshots that are equal mean nothing was added, changed or removed in between. Tests in
/// the Azurite collection run one at a time and each disposes its services (which drains background work), so a
/// before/after comparison around one test's own calls is exact.
/// </summary>
public sealed class StorageSnapshot
{
    private readonly Dictionary<string, string> _items;

    private StorageSnapshot(Dictionary<string, string> items) => _items = items;

    public int Rows => _items.Keys.Count(key => key.StartsWith("row ", StringComparison.Ordinal));

    public int Blobs => _items.Keys.Count(key => key.StartsWith("blob ", StringComparison.Ordinal));

    public static async Task<StorageSnapshot> TakeAsync(string connectionString)
    {
        var items = new Dictionary<string, string>(StringComparer.Ordinal);
        var tables = new TableServiceClient(connectionString);
        foreach (var name in StorageTables.InUse)
        {
            try
            {
                await foreach (var row in tables.GetTableClient(name).QueryAsync<TableEntity>(select: ["PartitionKey", "RowKey"]))
                {
                    items[$"row {name} {row.PartitionKey} {row.RowKey}"] = row.ETag.ToString();
                }
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // The table does not exist (yet): no rows.
            }
        }

        var blobs = new BlobServiceClient(connectionString);
        await foreach (var container in blobs.GetBlobContainersAsync())
        {
            items[$"container {container.Name}"] = container.Properties.ETag.ToString();
            await foreach (var blob in blobs.GetBlobContainerClient(container.Name).GetBlobsAsync())
            {
                items[$"blob {container.Name}/{blob.Name}"] = blob.Properties.ETag?.ToString() ?? string.Empty;
            }
        }

        return new StorageSnapshot(items);
    }

    /// <summary>What differs from <paramref name="before"/>: added, changed and removed rows, containers and blobs.</summary>
    public IReadOnlyList<string> ChangesSince(StorageSnapshot before)
    {
        var changes = new List<string>();
        foreach (var (key, etag) in _items)
        {
            if (!before._items.TryGetValue(key, out var earlier))
            {
                changes.Add($"added {key}");
            }
            else if (earlier != etag)
            {
                changes.Add($"changed {key}");
            }
        }

        changes.AddRange(before._items.Keys.Where(key => !_items.ContainsKey(key)).Select(key => $"removed {key}"));
        return changes;
    }
}
