using StreamingApi.Agents;
using StreamingApi.Runs;

namespace StreamingApi.Tests.Infrastructure;

/// <summary>
/// The app's own run store, whose opened readers fall behind once, as a reader on another instance does when a fast run
/// outruns what its Redis stream keeps: after <paramref name="keptTextDeltas"/> text deltas (counted from where it opened), the next
/// <paramref name="lostEvents"/> events are not given; the run's snapshot up to the last of them is, then the events after
/// it. (The run's last events are never lost: met while losing, they come after the snapshot.)
/// </summary>
public sealed class FallingBehindRunStore(IRunStore inner, int keptTextDeltas, int lostEvents) : DelegatingRunStore(inner)
{
    /// <summary>How many snapshots the readers gave in place of lost events.</summary>
    public int SnapshotsGiven => Volatile.Read(ref _snapshotsGiven);

    private int _snapshotsGiven;

    public override async ValueTask<RunOpening> OpenAsync(string runId, long afterSequence, CancellationToken readerGone)
    {
        var opening = await base.OpenAsync(runId, afterSequence, readerGone);
        return opening.Reader is { } reader ? new RunOpening(opening.Status, new FallingBehindReader(reader, this, keptTextDeltas, lostEvents)) : opening;
    }

    private sealed class FallingBehindReader(IRunReader inner, FallingBehindRunStore store, int keptTextDeltas, int lostEvents) : IRunReader
    {
        private RunSnapshotBuilder _run = new(); // every event read, given or lost: the snapshot the store would keep
        private int _textDeltas;
        private int _lost = -1; // -1: not losing yet; then how many were lost; int.MaxValue once the snapshot was given
        private RunEvent? _held;

        public string RunId => inner.RunId;

        public bool TryRead(out RunEvent entry)
        {
            if (_held is { } held)
            {
                (_held, entry) = (null, held);
                return true;
            }
            while (inner.TryRead(out entry))
            {
                var @event = entry.ToEvent();
                if (@event is RunSnapshot snapshot)
                {
                    _run = new RunSnapshotBuilder(snapshot); // the reader started from the run's snapshot: the run so far is that
                    return true;
                }
                if (_lost < 0 || _lost == int.MaxValue)
                {
                    _run.Apply(entry.Sequence, @event);
                    if (@event is TextDelta && ++_textDeltas == keptTextDeltas) _lost = 0;
                    return true;
                }
                if (entry.Type is AgentEventTypes.Error or AgentEventTypes.Done || ++_lost > lostEvents)
                {
                    // The events lost so far are the snapshot's; this one comes after it.
                    var soFar = _run.Build();
                    _run.Apply(entry.Sequence, @event);
                    (_held, entry, _lost) = (entry, new RunEvent(soFar.Sequence, soFar), int.MaxValue);
                    Interlocked.Increment(ref store._snapshotsGiven);
                    return true;
                }
                _run.Apply(entry.Sequence, @event);
            }
            return false;
        }

        public ValueTask<bool> WaitToReadAsync() => _held is not null ? ValueTask.FromResult(true) : inner.WaitToReadAsync();

        public void Interrupt() => inner.Interrupt();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
