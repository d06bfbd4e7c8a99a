using System.Runtime.InteropServices;
using System.Text;
using StackExchange.Redis;
using StreamingApi.Agents;

namespace StreamingApi.Runs.Redis;

/// <summary>
/// What a run's events add to its snapshot in Redis, written by the script that adds events to the stream
/// (<see cref="RedisScripts.AppendEvents"/>) when the stream is about to be trimmed past the snapshot, with the run's
/// end, and when it hands off: the text and reasoning since the last write appended, the sequence of the last event
/// applied, and only the fields changed since (the latest run, partial, result, progress or error event's JSON as the
/// stream has it; the tool calls, rewritten when one started or returned). A write costs what it adds, not the answer
/// so far, and while a run's stream holds all its events it writes none: readers take the events from the stream. The
/// run's last events (error, done) are never applied: they stay in the stream, so that a reader given the snapshot
/// still ends with them. Used by the run's background writer alone.
/// </summary>
internal sealed class RedisSnapshotWriter
{
    private readonly RunEventCodec _codec;
    private readonly long _lifetimeSeconds;
    private readonly List<ToolCallState> _toolCalls = [];
    private readonly StringBuilder _text = new();
    private readonly StringBuilder _reasoning = new();
    private readonly List<RedisValue> _changed = [];
    private bool _toolCallsChanged;
    private bool _pending;
    private bool _written;

    public RedisSnapshotWriter(RunEventCodec codec, TimeSpan lifetime)
    {
        _codec = codec;
        _lifetimeSeconds = Math.Max(1, (long)lifetime.TotalSeconds);
    }

    /// <summary>
    /// Goes on from the stored snapshot of a run taken up after it waited (written whole when it handed off): its tool
    /// calls are rewritten whole, with the new ones.
    /// </summary>
    public void Seed(RunSnapshot stored)
    {
        Sequence = Applied = stored.Sequence;
        _toolCalls.AddRange(stored.ToolCalls);
        _written = true; // its keys expire already
    }

    /// <summary>The last event the stored snapshot has: the stream must hold every event after it.</summary>
    public long Sequence { get; private set; }

    /// <summary>The last event applied: the snapshot's sequence once written.</summary>
    public long Applied { get; private set; }

    /// <param name="data">The event's JSON, as the stream has it.</param>
    public void Apply(long sequence, AgentEvent @event, ReadOnlyMemory<byte> data)
    {
        Applied = sequence;
        _pending = true;
        if (@event is TextDelta text) _text.Append(text.Delta);
        else if (@event is ReasoningDelta reasoning) _reasoning.Append(reasoning.Delta);
        else if (@event is ToolCallStarted or ToolCallCompleted or ApprovalRequested or ApprovalDecided)
        {
            RunSnapshotBuilder.ApplyToolCall(_toolCalls, @event);
            _toolCallsChanged = true;
        }
        else if (FieldOf(@event) is { } field) Change(field, data);
    }

    /// <summary>The snapshot's field that holds the latest event of this type as its JSON, or null.</summary>
    private static string? FieldOf(AgentEvent @event) => @event switch
    {
        RunStarted => RedisSnapshots.RunField,
        PartialOutput => RedisSnapshots.PartialField,
        FinalOutput => RedisSnapshots.ResultField,
        ProgressReport => RedisSnapshots.ProgressField,
        RunError => RedisSnapshots.ErrorField,
        _ => null,
    };

    /// <summary>How many arguments <see cref="WriteTo"/> writes: four, and to write, two per field changed.</summary>
    public int ArgumentCount(bool write) => 4 + (write && _pending ? _changed.Count + (_toolCallsChanged ? 2 : 0) : 0);

    /// <summary>
    /// Writes into a run's arguments of <see cref="RedisScripts.AppendEvents"/> (<see cref="ArgumentCount"/> of them,
    /// from the first of <paramref name="arguments"/>) what was applied since the last write, or, when not asked to
    /// <paramref name="write"/> (or nothing was), that the command leaves the snapshot as it is: the sequence (empty
    /// for nothing), the text, the reasoning, the hash's expiry, then the changed fields. Redis appends the text as
    /// UTF-8, which has no half of a character: a text that ends in the first half of a pair a model's deltas split
    /// keeps that half for the next write, unless this write is the run's last here (<paramref name="whole"/>: its end,
    /// or its hand-off), so that the stored answer is the deltas concatenated.
    /// </summary>
    public void WriteTo(Span<RedisValue> arguments, bool write, bool whole)
    {
        if (!write || !_pending)
        {
            (arguments[0], arguments[1], arguments[2], arguments[3]) =
                (RedisValue.EmptyString, RedisValue.EmptyString, RedisValue.EmptyString, 0);
            return;
        }
        if (_toolCallsChanged)
        {
            _changed.Add(RedisSnapshots.ToolCallsField);
            _changed.Add(_codec.EncodeToolCalls(_toolCalls));
        }
        // The hash expires with the run's record: set once, with the first write (the text and the reasoning get the
        // record's when the script makes their keys).
        Sequence = Applied;
        arguments[0] = Sequence;
        arguments[1] = Take(_text, whole);
        arguments[2] = Take(_reasoning, whole);
        arguments[3] = _written ? 0 : _lifetimeSeconds;
        CollectionsMarshal.AsSpan(_changed).CopyTo(arguments[4..]);
        _changed.Clear();
        _toolCallsChanged = false;
        _pending = _text.Length > 0 || _reasoning.Length > 0; // a half kept back is written with the next write
        _written = true;
    }

    /// <summary>
    /// The text to append, taken out of <paramref name="text"/>, which keeps a last half of a pair unless
    /// <paramref name="whole"/>.
    /// </summary>
    private static RedisValue Take(StringBuilder text, bool whole)
    {
        if (text.Length == 0) return RedisValue.EmptyString;
        var kept = !whole && char.IsHighSurrogate(text[^1]) ? 1 : 0;
        var taken = text.ToString(0, text.Length - kept);
        text.Remove(0, text.Length - kept);
        return taken.Length == 0 ? RedisValue.EmptyString : taken;
    }

    /// <summary>A field the batch changed: the latest value wins when it changed it twice.</summary>
    private void Change(string field, ReadOnlyMemory<byte> value)
    {
        for (var i = 0; i < _changed.Count; i += 2)
        {
            if (_changed[i] != field) continue;
            _changed[i + 1] = value;
            return;
        }
        _changed.Add(field);
        _changed.Add(value);
    }
}
