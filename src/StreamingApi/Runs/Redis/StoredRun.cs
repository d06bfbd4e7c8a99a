using System.Globalization;
using StackExchange.Redis;

namespace StreamingApi.Runs.Redis;

/// <summary>A run's record as kept in Redis, with its owner and its figures so far.</summary>
internal sealed record StoredRun(RunRecord Record, string Owner, int Chunks, long Chars)
{
    public static StoredRun? From(HashEntry[] hash)
    {
        if (hash.Length == 0) return null;
        var fields = hash.ToDictionary(e => (string)e.Name!, e => (string?)e.Value ?? "");
        var text = (string name) => fields.GetValueOrDefault(name, "");
        var record = new RunRecord(text("runId"), text("agent"), text("endpoint"), text("model"), text("status"),
            text("reason") is { Length: > 0 } reason ? reason : null,
            DateTimeOffset.Parse(text("startedAt"), CultureInfo.InvariantCulture),
            text("endedAt") is { Length: > 0 } ended ? DateTimeOffset.Parse(ended, CultureInfo.InvariantCulture) : null,
            long.Parse(text("lastSequence") is { Length: > 0 } last ? last : "0", CultureInfo.InvariantCulture))
        {
            ThreadId = text("threadId") is { Length: > 0 } threadId ? threadId : null,
            Principal = text("principal") is { Length: > 0 } principal ? principal : null,
            TraceParent = text("traceParent") is { Length: > 0 } traceParent ? traceParent : null,
        };
        return new StoredRun(record, text("owner"), int.TryParse(text("chunks"), out var chunks) ? chunks : 0,
            long.TryParse(text("chars"), out var chars) ? chars : 0);
    }
}
