using StreamingApi.Agents;

namespace StreamingApi.Runs;

/// <summary>
/// A reader that gives the run so far as one <see cref="RunSnapshot"/>, then what comes after it. Whatever the reader
/// it wraps has at once (the run's own snapshot, when it starts from one, and the events held after it) is folded into
/// that snapshot; the run's last events (its <c>error</c> and <c>done</c>) are not, but follow it, as they follow a
/// store's snapshot. For a client that replaces what it has of a run with a snapshot (AG-UI's
/// <c>MESSAGES_SNAPSHOT</c>) rather than rebuilding it from a replay into what it already holds.
/// </summary>
public sealed class SnapshotFirstReader(IRunReader inner) : IRunReader
{
    private bool _folded;
    private RunEvent? _held; // the run's first last event, met while folding

    public string RunId => inner.RunId;

    public bool TryRead(out RunEvent entry)
    {
        if (!_folded)
        {
            // Nothing in yet (a reader on another instance has its first events on their way): the writer waits for them.
            if (!TryFold(out entry)) return false;
            _folded = true;
            return true;
        }
        if (_held is { } held)
        {
            _held = null;
            entry = held;
            return true;
        }
        return inner.TryRead(out entry);
    }

    public ValueTask<bool> WaitToReadAsync() => _held is not null ? ValueTask.FromResult(true) : inner.WaitToReadAsync();

    public void Interrupt() => inner.Interrupt();

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    /// <summary>Folds what the reader has at once; false when it has nothing yet.</summary>
    private bool TryFold(out RunEvent folded)
    {
        var builder = new RunSnapshotBuilder();
        var any = false;
        while (inner.TryRead(out var entry))
        {
            any = true;
            if (entry.Type is AgentEventTypes.Error or AgentEventTypes.Done)
            {
                _held = entry; // goes out as it came: its JSON, when it has it
                break;
            }
            var @event = entry.ToEvent(); // decoded once, when the entry came as JSON alone
            if (@event is RunSnapshot snapshot)
            {
                builder = new RunSnapshotBuilder(snapshot);
                continue;
            }
            builder.Apply(entry.Sequence, @event);
        }
        var soFar = builder.Build();
        folded = new RunEvent(soFar.Sequence, soFar);
        return any;
    }
}
