using StackExchange.Redis;
using StreamingApi.Agents;

namespace StreamingApi.Runs.Redis;

/// <summary>
/// Runs' snapshots as Redis keeps them beside their streams, so that any instance can serve one: the text and the
/// reasoning in strings of their own (<see cref="RedisKeys.Text"/>, <see cref="RedisKeys.Reasoning"/>) that each write
/// appends to, the rest in a hash (<see cref="RedisKeys.Snapshot"/>) whose fields a write rewrites only when they
/// changed. It is written when the stream is to be trimmed past it, with the run's end, and when it hands off. The
/// run's owner writes it (<see cref="RedisSnapshotWriter"/>); any instance reads it here, together with the stream's
/// events after it.
/// </summary>
internal sealed class RedisSnapshots(RedisKeys keys, RunEventCodec codec)
{
    public const string SequenceField = "sequence";
    public const string RunField = "run";
    public const string ToolCallsField = "toolCalls";
    public const string PartialField = "partial";
    public const string ResultField = "result";
    public const string ProgressField = "progress";
    public const string ErrorField = "error";

    /// <summary>The hash's fields as the read script returns them, in this order.</summary>
    private static readonly RedisValue[] Fields = [SequenceField, RunField, ToolCallsField, PartialField, ResultField, ProgressField, ErrorField];

    /// <param name="lifetime">How long the snapshot's keys live from its first write (as the run's record).</param>
    public RedisSnapshotWriter Writer(TimeSpan lifetime) => new(codec, lifetime);

    /// <summary>
    /// The run's stored snapshot and up to <paramref name="maxEntries"/> stream entries after it (0: every one), read
    /// atomically by one script; null when the run is not known. Before its first write, the snapshot is empty, at
    /// sequence 0 (the stream then has every event).
    /// </summary>
    public async Task<StoredSnapshot?> ReadAsync(IDatabaseAsync database, string runId, int maxEntries)
    {
        var result = await database.ScriptEvaluateAsync(RedisScripts.ReadSnapshot,
            [keys.Run(runId), keys.Snapshot(runId), keys.Text(runId), keys.Reasoning(runId), keys.Events(runId)],
            [maxEntries, .. Fields]);
        if (result.IsNull) return null;
        var parts = (RedisResult[])result!;
        var fields = (RedisResult[])parts[0]!;
        var toolCalls = fields[2].IsNull ? [] : codec.DecodeToolCalls((byte[])fields[2]!);
        var snapshot = new RunSnapshot(
            Sequence: fields[0].IsNull ? 0 : (long)fields[0],
            Run: Decode<RunStarted>(AgentEventTypes.Run, fields[1]),
            Status: RunSnapshotBuilder.StatusOf(RunStatus.Running, toolCalls), // the run's end is never in it
            Text: (string?)parts[1] ?? "",
            Reasoning: (string?)parts[2] ?? "",
            ToolCalls: toolCalls,
            Partial: Decode<PartialOutput>(AgentEventTypes.Partial, fields[3])?.Output,
            Result: Decode<FinalOutput>(AgentEventTypes.Result, fields[4])?.Output,
            Progress: Decode<ProgressReport>(AgentEventTypes.Progress, fields[5]),
            Usage: null,
            Reason: null,
            Error: Decode<RunError>(AgentEventTypes.Error, fields[6]));
        return new StoredSnapshot(snapshot, [.. ((RedisResult[])parts[3]!).Select(ToEntry)]);
    }

    /// <summary>
    /// Adds the events of a stream entry that come after <paramref name="after"/> to <paramref name="events"/>, in
    /// order, as their JSON read: a record is decoded only if a reader asks for it (our own protocol copies the bytes).
    /// Gives the type of the last one added (null when none was).
    /// </summary>
    public string? AddEventsOf(StreamEntry entry, long after, Queue<RunEvent> events)
    {
        string? type = null;
        var sequence = RedisKeys.FirstSequenceOf(entry);
        var skip = Math.Max(0, after + 1 - sequence);
        sequence += skip;
        foreach (var (eventType, data) in RedisEntries.EventsOf(entry, skip))
        {
            type = eventType;
            events.Enqueue(new RunEvent(sequence++, type, data, codec));
        }
        return type;
    }

    private T? Decode<T>(string type, RedisResult field) where T : AgentEvent =>
        field.IsNull ? null : (T)codec.Decode(type, (byte[])field!);

    /// <summary>An entry as XRANGE gives it inside a script's reply: its id, then its fields and values in one array.</summary>
    private static StreamEntry ToEntry(RedisResult reply)
    {
        var parts = (RedisResult[])reply!;
        var flat = (RedisValue[])parts[1]!;
        var values = new NameValueEntry[flat.Length / 2];
        for (var i = 0; i < values.Length; i++) values[i] = new NameValueEntry(flat[2 * i], flat[2 * i + 1]);
        return new StreamEntry((RedisValue)parts[0], values);
    }
}
