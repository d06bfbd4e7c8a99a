namespace StreamingApi.Agents;

/// <summary>
/// What an agent, the filter around its tool calls and the run's event shapers may know about the run they serve:
/// its id, its figures, and since when it has been asked to stop. Tools themselves never see it.
/// </summary>
public sealed class RunContext(string runId, TimeProvider time)
{
    private const int Working = 0, Stopping = 1, Answered = 2;

    private long _stopRequestedAt;
    private int _state; // Working until it is stopped or its agent has its whole answer, whichever comes first

    public string RunId { get; } = runId;

    public RunStats Stats { get; } = new(time);

    /// <summary>Time since the run was stopped (its client left, it was cancelled, its time ran out); null while it is wanted.</summary>
    public TimeSpan? SinceStopRequested
    {
        get
        {
            var at = Interlocked.Read(ref _stopRequestedAt);
            return at == 0 ? null : time.GetElapsedTime(at);
        }
    }

    /// <summary>
    /// Called by the agent once it has its whole answer (its model's last turn came to its finish): a stop from now on
    /// is too late, has nothing to stop, and the run ends as completed with every event it produced. False when the run
    /// was stopped first: it ends as cancelled.
    /// </summary>
    public bool TryFinish() => Interlocked.CompareExchange(ref _state, Answered, Working) != Stopping;

    /// <summary>Called as the run is stopped: false, and the stop is ignored, when the agent already has its whole answer (<see cref="TryFinish"/>).</summary>
    internal bool TryStop() => Interlocked.CompareExchange(ref _state, Stopping, Working) != Answered;

    internal void MarkStopRequested() => Interlocked.CompareExchange(ref _stopRequestedAt, time.GetTimestamp(), 0);
}
