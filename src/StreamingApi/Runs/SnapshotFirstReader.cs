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
            _folded = true;
            entry = Fold();
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

    public ValueTask<bool> WaitToReadAsync() => !_folded || _held is not null ? ValueTask.FromResult(true) : inner.WaitToReadAsync();

    public void Interrupt() => inner.Interrupt();

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    private RunEvent Fold()
    {
        var builder = new RunSnapshotBuilder();
        while (inner.TryRead(out var entry))
        {
            if (entry.Event is RunSnapshot snapshot)
            {
                builder = new RunSnapshotBuilder(snapshot);
                continue;
            }
            if (entry.Event is RunError or RunDone)
            {
                _held = entry;
                break;
            }
            builder.Apply(entry);
        }
        var folded = builder.Build();
        return new RunEvent(folded.Sequence, folded);
    }
}
