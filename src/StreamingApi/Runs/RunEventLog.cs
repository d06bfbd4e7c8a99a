using System.Runtime.CompilerServices;
using StreamingApi.Agents;

namespace StreamingApi.Runs;

/// <summary>An event of a run with its place in the run's sequence (counted from 1).</summary>
public readonly record struct RunEvent(long Sequence, AgentEvent Event);

/// <summary>
/// The append-only, numbered sequence of a run's events. The run writes; any number of readers read from
/// any position, so a reader that re-attaches after sequence N asks for <c>ReadAsync(N)</c>.
/// </summary>
public sealed class RunEventLog
{
    private readonly List<RunEvent> _events = [];
    private readonly Lock _gate = new();
    private TaskCompletionSource? _waiting;
    private bool _completed;

    public long Count
    {
        get { lock (_gate) return _events.Count; }
    }

    public bool IsCompleted
    {
        get { lock (_gate) return _completed; }
    }

    public RunEvent Append(AgentEvent @event)
    {
        RunEvent entry;
        TaskCompletionSource? waiting;
        lock (_gate)
        {
            if (_completed) throw new InvalidOperationException("The run's event log is already complete.");
            entry = new RunEvent(_events.Count + 1, @event);
            _events.Add(entry);
            waiting = _waiting;
            _waiting = null;
        }
        waiting?.TrySetResult();
        return entry;
    }

    /// <summary>Marks the log finished: readers end after the last event.</summary>
    public void Complete()
    {
        TaskCompletionSource? waiting;
        lock (_gate)
        {
            _completed = true;
            waiting = _waiting;
            _waiting = null;
        }
        waiting?.TrySetResult();
    }

    /// <summary>Every event after <paramref name="afterSequence"/>, waiting for new ones until the log completes.</summary>
    public async IAsyncEnumerable<RunEvent> ReadAsync(long afterSequence = 0, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var next = (int)Math.Max(0, afterSequence);
        var batch = new List<RunEvent>();
        while (true)
        {
            Task? wait = null;
            lock (_gate)
            {
                for (; next < _events.Count; next++) batch.Add(_events[next]);
                if (batch.Count == 0 && !_completed)
                {
                    _waiting ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    wait = _waiting.Task;
                }
            }

            if (batch.Count == 0)
            {
                if (wait is null) yield break;
                await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            foreach (var entry in batch) yield return entry;
            batch.Clear();
        }
    }
}
