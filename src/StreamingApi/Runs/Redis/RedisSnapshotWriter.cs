using System.Text;
using StackExchange.Redis;
using StreamingApi.Agents;

namespace StreamingApi.Runs.Redis;

/// <summary>
/// What each batch of a run adds to its snapshot in Redis, written by one script in the pipelined batch that adds the
/// same events to the stream: the batch's text and reasoning appended, the sequence of its last event, and only the
/// fields the batch changed (the latest run, partial, result, progress or error event's JSON as the stream has it; the
/// tool calls, rewritten when one started or returned). A batch costs what it adds, not the answer so far. The run's
/// last events (error, done) are never applied: they stay in the stream, so that a reader given the snapshot still
/// ends with them. Used by the run's background writer alone.
/// </summary>
internal sealed class RedisSnapshotWriter
{
    private readonly RedisKey[] _keys;
    private readonly RunEventCodec _codec;
    private readonly long _lifetimeSeconds;
    private readonly List<ToolCallState> _toolCalls = [];
    private readonly StringBuilder _text = new();
    private readonly StringBuilder _reasoning = new();
    private readonly List<RedisValue> _changed = [];
    private bool _toolCallsChanged;
    private bool _pending;
    private bool _written;

    public RedisSnapshotWriter(RedisKeys keys, string runId, RunEventCodec codec, TimeSpan lifetime)
    {
        _keys = [keys.Snapshot(runId), keys.Text(runId), keys.Reasoning(runId)];
        _codec = codec;
        _lifetimeSeconds = Math.Max(1, (long)lifetime.TotalSeconds);
    }

    /// <summary>The last event applied: the stream must hold every event after it.</summary>
    public long Sequence { get; private set; }

    /// <param name="data">The event's JSON, as the stream has it.</param>
    public void Apply(long sequence, AgentEvent @event, ReadOnlyMemory<byte> data)
    {
        Sequence = sequence;
        _pending = true;
        switch (@event)
        {
            case TextDelta text:
                _text.Append(text.Delta);
                break;
            case ReasoningDelta reasoning:
                _reasoning.Append(reasoning.Delta);
                break;
            case ToolCallStarted or ToolCallCompleted:
                RunSnapshotBuilder.ApplyToolCall(_toolCalls, @event);
                _toolCallsChanged = true;
                break;
            case RunStarted:
                Change(RedisSnapshots.RunField, data);
                break;
            case PartialOutput:
                Change(RedisSnapshots.PartialField, data);
                break;
            case FinalOutput:
                Change(RedisSnapshots.ResultField, data);
                break;
            case ProgressReport:
                Change(RedisSnapshots.ProgressField, data);
                break;
            case RunError:
                Change(RedisSnapshots.ErrorField, data);
                break;
        }
    }

    /// <summary>Adds the script that writes what was applied since the last call to <paramref name="batch"/>; null when nothing was.</summary>
    public Task? WriteTo(IBatch batch)
    {
        if (!_pending) return null;
        if (_toolCallsChanged)
        {
            _changed.Add(RedisSnapshots.ToolCallsField);
            _changed.Add(_codec.EncodeToolCalls(_toolCalls));
        }
        // The keys expire with the run's record; set once, with the first batch, as the stream's own expiry is.
        RedisValue[] arguments = [Sequence, _text.ToString(), _reasoning.ToString(), _written ? 0 : _lifetimeSeconds, .. _changed];
        var written = batch.ScriptEvaluateAsync(RedisScripts.WriteSnapshot, _keys, arguments);
        _text.Clear();
        _reasoning.Clear();
        _changed.Clear();
        _toolCallsChanged = false;
        _pending = false;
        _written = true;
        return written;
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
