namespace StreamingApi.Tests.Infrastructure;

/// <summary>
/// The system clock, which counts the timers set for one length: a demo tool's simulated wait
/// (<c>Tools:SalesDelayMs</c>, <c>Tools:CustomerDelayMs</c>) sets one when it begins, so a test knows the tool is
/// waiting, not about to start.
/// </summary>
internal sealed class TimerWatch(TimeSpan length) : TimeProvider
{
    private int _set;

    /// <summary>How many timers of that length have been set so far.</summary>
    public int Set => Volatile.Read(ref _set);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        if (dueTime == length) Interlocked.Increment(ref _set);
        return timer;
    }
}
