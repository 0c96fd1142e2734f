using System.Text;
using System.Text.RegularExpressions;
using Azure.Core;

namespace Shop.Functions.Tests.Infrastructure;

/// <summary>
/// A storage request as a fault predicate sees it: the service (table or blob), the method, the table or container it
/// addresses (for a <c>$batch</c>, the tables its operations name), and the saga activity running it, if any
/// (<see cref="ActivityScope"/>).
/// </summary>
public sealed partial record StorageRequest(string Service, string Method, string Path, IReadOnlyList<string> Tables, bool IsBatch, string? Activity)
{
    public const string Table = "table";
    public const string Blob = "blob";

    public bool IsWrite => Method is not ("GET" or "HEAD");

    /// <summary>The table or blob container the request addresses (the first path segment after the account).</summary>
    public bool Touches(string tableOrContainer) => Tables.Contains(tableOrContainer, StringComparer.OrdinalIgnoreCase);

    public static Func<StorageRequest, bool> OnTable(string table) => r => r.Service == Table && r.Touches(table);

    public static Func<StorageRequest, bool> BatchOn(string table) => r => r.IsBatch && r.Touches(table);

    /// <summary>A single-entity insert (a POST to the table, not a <c>$batch</c>), such as the submit's order row.</summary>
    public static Func<StorageRequest, bool> InsertInto(string table) => r => r.Service == Table && r.Method == "POST" && !r.IsBatch && r.Touches(table);

    public static Func<StorageRequest, bool> WritesTo(string table) => r => r.Service == Table && r.IsWrite && r.Touches(table);

    public static Func<StorageRequest, bool> During(string activity, Func<StorageRequest, bool> inner) => r => r.Activity == activity && inner(r);

    public static Func<StorageRequest, bool> AnyWrite => r => r.IsWrite;

    internal static StorageRequest From(string service, Request request)
    {
        // Path-style (Azurite): /{account}/{table or container}[(keys) | /blob]; in Azure the account is in the host.
        var path = request.Uri.Path;
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var first = segments.Length switch
        {
            0 => string.Empty,
            1 => segments[0],
            _ => segments[0].StartsWith("devstoreaccount", StringComparison.Ordinal) ? segments[1] : segments[0],
        };
        var name = Name(first);
        var isBatch = name == "$batch";
        IReadOnlyList<string> tables = isBatch ? BatchTables(request) : [name];
        return new StorageRequest(service, request.Method.Method, path, tables, isBatch, ActivityScope.Current);
    }

    private static string Name(string segment)
    {
        var paren = segment.IndexOf('(', StringComparison.Ordinal);
        return Uri.UnescapeDataString(paren < 0 ? segment : segment[..paren]);
    }

    /// <summary>The tables named by a batch's operations ("PATCH http://host/account/Orders(PartitionKey=...)").</summary>
    private static List<string> BatchTables(Request request)
    {
        if (request.Content is null)
        {
            return [];
        }

        using var body = new MemoryStream();
        request.Content.WriteTo(body, CancellationToken.None);
        var text = Encoding.UTF8.GetString(body.ToArray());
        return [.. OperationLine().Matches(text).Select(m => Name(m.Groups["table"].Value)).Distinct(StringComparer.Ordinal)];
    }

    [GeneratedRegex(@"^(?:POST|PUT|PATCH|MERGE|DELETE|GET) https?://[^/\s]+/(?:devstoreaccount1/)?(?<table>[^/\s(?]+)", RegexOptions.Multiline)]
    private static partial Regex OperationLine();
}

/// <summary>The saga activity running on this async flow, set by the Durable test harnesses; storage requests carry it.</summary>
public static class ActivityScope
{
    private static readonly AsyncLocal<string?> Name = new();

    public static string? Current => Name.Value;

    public static IDisposable Enter(string activity)
    {
        var before = Name.Value;
        Name.Value = activity;
        return new Exit(before);
    }

    private sealed class Exit(string? before) : IDisposable
    {
        public void Dispose() => Name.Value = before;
    }
}
