using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Shop.Functions.Platform;

namespace Shop.Functions.Messaging;

/// <summary>
/// Republishes outbox rows that the immediate send did not get out (Service Bus was down, or the process
/// died between commit and send). A destination (queue or topic) whose send fails is skipped for the rest of
/// the run (its rows are read, not sent), and the others go on: a topic that refuses messages must not keep PlaceOrder
/// commands from their queue. The next run tries every destination again.
/// </summary>
public sealed partial class OutboxSweeper(
    TableServiceClient tables,
    IMessageSender sender,
    IOptions<OutboxOptions> options,
    TimeProvider time,
    ILogger<OutboxSweeper> logger)
{
    /// <summary>Tables whose partitions hold outbox rows.</summary>
    public static IReadOnlyList<string> OutboxTables { get; } = [StorageTables.Orders, StorageTables.Inventory];

    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var sent = 0;
        foreach (var tableName in OutboxTables)
        {
            var table = tables.GetTableClient(tableName);
            sent += await SweepTableAsync(table, cancellationToken);
        }

        if (sent > 0)
        {
            LogSwept(sent);
        }

        return sent;
    }

    private async Task<int> SweepTableAsync(TableClient table, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var cutoff = time.GetUtcNow() - settings.SweepAge;
        // A filtered scan across partitions: the outbox is small (rows live about as long as one send; while a destination
        // refuses messages its rows pile up and are read, not sent, by each run).
        var filter = TableClient.CreateQueryFilter(
            $"RowKey ge {OutboxEntity.RowKeyPrefix} and RowKey lt {OutboxEntity.RowKeyEnd} and CreatedAt le {cutoff}");

        var sent = 0;
        var failing = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var row in table.QueryAsync<OutboxEntity>(filter, maxPerPage: settings.SweepBatchSize, cancellationToken: cancellationToken))
        {
            if (failing.Contains(row.Destination))
            {
                continue;
            }

            using var scope = logger.BeginScope(new Dictionary<string, object> { ["OrderId"] = row.CorrelationId, ["MessageId"] = row.MessageId });
            try
            {
                await sender.SendAsync(row.ToMessage(), cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                failing.Add(row.Destination);
                LogDestinationSkipped(ex, row.MessageId, row.Destination);
                continue;
            }

            LogResent(row.MessageId, row.Destination, row.CreatedAt);
            await OutboxRelay.DeleteSentAsync(table, row, logger, cancellationToken);
            if (++sent >= settings.SweepBatchSize)
            {
                break;
            }
        }

        return sent;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox sweeper sent message {MessageId} to {Destination}, written at {CreatedAt}")]
    private partial void LogResent(string messageId, string destination, DateTimeOffset createdAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox sweeper could not send message {MessageId} to {Destination}; skipping that destination for this run")]
    private partial void LogDestinationSkipped(Exception exception, string messageId, string destination);

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox sweeper sent {Count} messages")]
    private partial void LogSwept(int count);
}
