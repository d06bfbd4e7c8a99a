using StreamingApi.Agents;
using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace StreamingApi.Runs.Memory;

/// <summary>
/// Runs kept in this process: the default store. A finished run stays readable for <c>Runs:RetentionSeconds</c>,
/// then is forgotten; one timer, running only while some finished run waits to expire, does the forgetting.
/// </summary>
public sealed class MemoryRunStore : IRunStore, IDisposable
{
    private readonly ConcurrentDictionary<string, MemoryRunLog> _runs = new();
    private readonly ConcurrentDictionary<string, string> _latestRuns = new(); // thread id → its latest run's id
    private readonly ConcurrentDictionary<string, MemoryRunLog> _waited = new(); // the runs that waited: only theirs can fall due
    private readonly Queue<(string RunId, long ExpiresAt)> _expiring = new();
    private readonly Lock _gate = new();
    private readonly IOptions<RunOptions> _options;
    private readonly TimeProvider _time;
    private readonly RunEventCodec _codec;
    private readonly ITimer _sweeper;
    private readonly Action<MemoryRunLog> _expire; // one for every log, rather than a delegate each log keeps for its retention
    private bool _sweeping;

    public MemoryRunStore(IOptions<RunOptions> options, RunEventCodec codec, TimeProvider time)
    {
        _codec = codec;
        _options = options;
        _time = time;
        _expire = Expire;
        _sweeper = time.CreateTimer(static state => ((MemoryRunStore)state!).Sweep(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>How many runs, running or finished, are held.</summary>
    public int Count => _runs.Count;

    public ValueTask<IRunLog> CreateAsync(RunRecord record, IRunOwner owner, CancellationToken cancellationToken)
    {
        var log = Create(record, owner, owner.HoldsPlaceForReturningReader);
        if (record.ThreadId is { } threadId) _latestRuns[threadId] = record.RunId;
        return ValueTask.FromResult<IRunLog>(log);
    }

    /// <summary>A log in this process (also the local log of a run whose events go to Redis as well).</summary>
    /// <param name="from">Where a run taken up here after it waited elsewhere was: its events go on after it.</param>
    internal MemoryRunLog Create(RunRecord record, IRunOwner owner, bool holdsPlace, RunSnapshot? from = null)
    {
        var options = _options.Value;
        var log = new MemoryRunLog(record, options.ReplayWindow, options.MaxBacklogEvents, holdsPlace, owner.ReadersChanged, _expire, _codec, from);
        if (!_runs.TryAdd(record.RunId, log)) throw new InvalidOperationException($"A run with id {record.RunId} already exists.");
        return log;
    }

    public ValueTask<RunRecord?> FindAsync(string runId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_runs.TryGetValue(runId, out var log) ? log.Record : null);

    public ValueTask<RunRecord?> FindLatestAsync(string threadId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_latestRuns.TryGetValue(threadId, out var runId) && _runs.TryGetValue(runId, out var log) ? log.Record : null);

    public ValueTask<RunSnapshot?> OutputAsync(string runId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_runs.TryGetValue(runId, out var log) ? log.Output : null);

    public ValueTask<RunOpening> OpenAsync(string runId, long afterSequence, CancellationToken readerGone) =>
        ValueTask.FromResult(_runs.TryGetValue(runId, out var log) ? log.Open(afterSequence, readerGone) : RunOpening.Unknown);

    /// <summary>Every run of this store is executed by this instance: there is no one else to ask.</summary>
    public ValueTask<bool> RequestStopAsync(string runId, string reason, CancellationToken cancellationToken) => ValueTask.FromResult(false);

    public ValueTask<bool> HasReadersElsewhereAsync(string runId, CancellationToken cancellationToken) => ValueTask.FromResult(false);

    public ValueTask SuspendAsync(IRunLog log, RunCheckpoint checkpoint)
    {
        var waiting = (MemoryRunLog)log;
        waiting.Suspend(checkpoint);
        _waited[waiting.RunId] = waiting;
        return ValueTask.CompletedTask;
    }

    public ValueTask<ApprovalDecisionResult> DecideAsync(string runId, ApprovalDecision decision, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Find(runId)?.WaitingFor(decision.ApprovalId) is { } waiting
            ? waiting.Decide(decision, _time.GetUtcNow())
            : new ApprovalDecisionResult(ApprovalOutcome.Unknown, null));

    public ValueTask<IReadOnlyList<ApprovalDecision>> DecisionsAsync(string runId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Find(runId)?.Waiting?.Decisions ?? []);

    public ValueTask<ClaimedCheckpoint?> ClaimAsync(string runId, string? stopping, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Find(runId)?.Waiting?.Claim(stopping, _time.GetUtcNow()));

    public ValueTask<IRunLog> ReopenAsync(RunCheckpoint checkpoint, RunRecord running, IRunOwner owner)
    {
        var log = Find(running.RunId) ?? throw new InvalidOperationException($"Run {running.RunId} is not held here.");
        log.Reopen(running, owner.ReadersChanged);
        return ValueTask.FromResult<IRunLog>(log);
    }

    public ValueTask<IReadOnlyList<string>> DueAsync(CancellationToken cancellationToken)
    {
        // Only the runs that waited are looked at, not every run kept (tens of thousands, each behind its lock, every tick).
        var now = _time.GetUtcNow();
        List<string>? due = null;
        foreach (var (runId, log) in _waited)
        {
            if (!_runs.TryGetValue(runId, out var held) || held != log) _waited.TryRemove(new KeyValuePair<string, MemoryRunLog>(runId, log)); // let go
            else if (log.Waiting?.IsDue(now) == true) (due ??= []).Add(runId);
        }
        return ValueTask.FromResult<IReadOnlyList<string>>(due ?? []);
    }

    /// <summary>Lets go of a run's local log at once (its run is kept elsewhere now).</summary>
    internal void Forget(string runId) => _runs.TryRemove(runId, out _);

    /// <summary>The local log of a run, when this process holds one.</summary>
    internal MemoryRunLog? Find(string runId) => _runs.GetValueOrDefault(runId);

    /// <summary>The events a run holds now, for tests and diagnostics; null for an unknown run.</summary>
    public int? HeldEvents(string runId) => _runs.TryGetValue(runId, out var log) ? log.HeldCount : null;

    public void Dispose() => _sweeper.Dispose();

    private void Expire(MemoryRunLog log)
    {
        var retention = TimeSpan.FromSeconds(Math.Max(0, _options.Value.RetentionSeconds));
        lock (_gate)
        {
            // Every run is kept equally long, so the queue is in expiry order.
            _expiring.Enqueue((log.RunId, _time.GetTimestamp() + (long)(retention.TotalSeconds * _time.TimestampFrequency)));
            if (_sweeping) return;
            _sweeping = true;
            var tick = TimeSpan.FromSeconds(Math.Clamp(retention.TotalSeconds / 4, 0.05, 1));
            _sweeper.Change(tick, tick);
        }
    }

    private void Sweep()
    {
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            while (_expiring.TryPeek(out var next) && next.ExpiresAt <= now)
            {
                _expiring.Dequeue();
                if (_runs.TryRemove(next.RunId, out var gone) && gone.Record.ThreadId is { } threadId)
                    _latestRuns.TryRemove(new KeyValuePair<string, string>(threadId, next.RunId)); // unless a later run took the thread
            }
            if (_expiring.Count > 0) return;
            _sweeping = false;
            _sweeper.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }
}
