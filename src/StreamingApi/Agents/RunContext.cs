namespace StreamingApi.Agents;

/// <summary>
/// What an agent, the filter around its tool calls and the run's event shapers may know about the run they serve:
/// its id, its figures, and since when it has been asked to stop. Tools themselves never see it.
/// </summary>
public sealed class RunContext(string runId, TimeProvider time)
{
    private long _stopRequestedAt;

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

    internal void MarkStopRequested() => Interlocked.CompareExchange(ref _stopRequestedAt, time.GetTimestamp(), 0);
}
