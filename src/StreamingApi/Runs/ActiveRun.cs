using StreamingApi.Agents;

namespace StreamingApi.Runs;

/// <summary>
/// A run this instance executes: its plan and context, the one way to stop it (the first reason given wins and
/// becomes the <c>done</c> event's reason), its time limit, and the policy for readers that leave: a run with a grace
/// gets its <see cref="DetachGrace"/> when its last reader first leaves, so a held stream carries none.
/// </summary>
internal sealed class ActiveRun : IRunOwner, IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly IRunStore _store;
    private readonly TimeProvider _time;
    private readonly TimeSpan? _grace;
    private DetachGrace? _detachGrace; // made when the last reader first leaves: a run that is read to its end never needs one
    private readonly ITimer _timeLimit;
    private string? _stopReason;
    private Exception? _failure;
    private volatile bool _disposed;

    /// <param name="store">Asked, once the grace is out, whether the run has readers on other instances.</param>
    public ActiveRun(string id, RunPlan plan, TimeSpan timeLimit, TimeSpan? detachGrace, TimeProvider time, IRunStore store)
    {
        Id = id;
        Plan = plan;
        Context = new RunContext(id, time);
        _store = store;
        _time = time;
        _grace = detachGrace;
        HoldsPlaceForReturningReader = detachGrace > TimeSpan.Zero;
        _timeLimit = time.CreateTimer(static state => ((ActiveRun)state!).Stop(StopReasons.TimeLimit), this, timeLimit, Timeout.InfiniteTimeSpan);
    }

    public string Id { get; }

    public RunPlan Plan { get; }

    public RunContext Context { get; }

    /// <summary>How long the run may work in all, from its start (a run that waited for approvals: what was left of it).</summary>
    public TimeSpan TimeLimit { get; init; }

    /// <summary>Fires when the run is stopped, for whatever reason: the model's and the tools' token.</summary>
    public CancellationToken StopToken => _stop.Token;

    /// <summary>Why the run was stopped, once it was.</summary>
    public string? StopReason => Volatile.Read(ref _stopReason);

    /// <summary>What failed the run from outside its own work (its store), if anything did.</summary>
    public Exception? Failure => Volatile.Read(ref _failure);

    /// <summary>Completes when the run has ended and written its last event.</summary>
    public Task Completion { get; set; } = Task.CompletedTask;

    public void Stop(string reason)
    {
        // A run that has ended is not stopped: its token is gone (a late reader's leaving, its time limit); nor one whose
        // agent already has its whole answer: the stop comes too late (RunContext.TryFinish).
        if (_disposed || !Context.TryStop() || Interlocked.CompareExchange(ref _stopReason, reason, null) is not null) return;
        // Timestamped before the token fires, so that the tools' cancellation latency is measured from here.
        Context.MarkStopRequested();
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The run ended as it was being stopped.
        }
    }

    private ValueTask<bool> ReadersElsewhereAsync() => _store.HasReadersElsewhereAsync(Id, CancellationToken.None);

    public bool HoldsPlaceForReturningReader { get; }

    public void ReadersChanged(int readers)
    {
        if (_grace is not { } grace) return; // it never stops for its readers
        var detachGrace = Volatile.Read(ref _detachGrace);
        if (detachGrace is null)
        {
            if (readers > 0 || _disposed) return; // readers came, none left yet: nothing to time
            var made = new DetachGrace(grace, _time, Stop, ReadersElsewhereAsync);
            detachGrace = Interlocked.CompareExchange(ref _detachGrace, made, null) ?? made;
        }
        detachGrace.ReadersChanged(readers);
    }

    public void StopRequested(string reason) => Stop(reason);

    public void StoreFailed(Exception exception)
    {
        if (Interlocked.CompareExchange(ref _failure, exception, null) is null) Stop(StopReasons.StoreFailed);
    }

    public void Dispose()
    {
        _disposed = true;
        _timeLimit.Dispose();
        Volatile.Read(ref _detachGrace)?.Dispose();
        _stop.Dispose();
    }
}
