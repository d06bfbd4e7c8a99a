using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.Options;
using StreamingApi.Agents;
using StreamingApi.Observability;

namespace StreamingApi.Runs;

/// <summary>
/// The one place that executes runs. It starts each run in the background, numbers every event into the run's log,
/// turns the run's end (completed, cancelled, failed) into its last events and its record's status, logs one line per
/// run, and stops runs: on request, at their time limit, when their readers are gone (<see cref="DetachGrace"/>) and
/// when the server drains. A run never sees an HTTP request; readers come and go through the store.
/// </summary>
public sealed class RunHost(
    IRunStore store,
    AgentCatalog agents,
    StreamingMetrics metrics,
    TimeProvider time,
    IOptions<RunOptions> options,
    IEnumerable<IRunObserver> observers,
    ILogger<RunHost> logger)
{
    private readonly ConcurrentDictionary<string, ActiveRun> _active = new();
    private readonly IRunObserver[] _observers = observers.ToArray();
    private volatile bool _draining;

    /// <summary>Runs this instance is executing.</summary>
    public int ActiveCount => _active.Count;

    /// <summary>True once the server is shutting down: no new run is started.</summary>
    public bool IsDraining => _draining;

    /// <summary>
    /// Starts the run in the background; null when the server is draining. With <paramref name="withReader"/>, the
    /// returned reader is attached before the run can write its first event, and ends when <paramref name="readerGone"/> fires.
    /// </summary>
    public async ValueTask<StartedRun?> StartAsync(RunPlan plan, bool withReader = false, CancellationToken readerGone = default)
    {
        if (_draining) return null;
        var settings = options.Value;
        var id = RunIds.New();
        var limit = TimeSpan.FromSeconds(settings.MaxRunSeconds);
        if (plan.TimeLimit is { } asked && asked < limit) limit = asked;
        var run = new ActiveRun(id, plan, limit, DetachGraceOf(plan), time, store) { TimeLimit = limit };
        // The run's span continues the request's trace; it is current from here on, so the run's work below is its child.
        var span = RunTracing.StartRun(id, plan.Agent.Name, plan.Agent.Model, plan.Endpoint, plan.ThreadId);
        var record = new RunRecord(id, plan.Agent.Name, plan.Endpoint, plan.Agent.Model, RunStatus.Running, null, time.GetUtcNow(), null, 0)
        {
            ThreadId = plan.ThreadId,
            Principal = plan.Principal,
            TraceParent = span?.Id,
        };
        IRunLog log;
        IRunReader? reader = null;
        try
        {
            log = await store.CreateAsync(record, run, CancellationToken.None);
            if (withReader) reader = (await store.OpenAsync(id, 0, readerGone)).Reader;
            // The first event is there before the response starts: its first frame goes out without waiting for the run.
            await log.AppendAsync(new RunStarted(id, plan.Agent.Name, plan.Agent.Model, record.StartedAt) { TraceId = span?.TraceId.ToHexString() },
                CancellationToken.None);
        }
        catch (Exception exception)
        {
            RunTracing.Failed(span, exception, exception.GetType().Name);
            RunTracing.Ended(span, RunStatus.Failed, null);
            run.Dispose();
            throw;
        }

        foreach (var observer in _observers) await observer.RunStartedAsync(id, plan);
        _active[id] = run;
        metrics.RunStarted(plan.Endpoint);
        if (logger.IsEnabled(LogLevel.Debug)) RunLogMessages.RunStarting(logger, id, plan.Endpoint, plan.Request.Prompt.Length, plan.Request.Prompt);
        run.Completion = ExecuteAsync(run, log, record, span);
        return new StartedRun(record, reader);
    }

    /// <summary>How long the run goes on once its last reader has left (see <see cref="DetachGrace"/>); null: it goes on regardless.</summary>
    private TimeSpan? DetachGraceOf(RunPlan plan) => plan.WhenUnattended switch
    {
        WhenUnattended.StopAfterGrace => TimeSpan.FromSeconds(Math.Max(0, options.Value.DetachGraceSeconds)),
        WhenUnattended.StopAtOnce => TimeSpan.Zero,
        _ => null,
    };

    /// <summary>The run's record, running or finished; null when no such run is known.</summary>
    public ValueTask<RunRecord?> FindAsync(string runId, CancellationToken cancellationToken) => store.FindAsync(runId, cancellationToken);

    /// <summary>The record of the latest run started for the thread, while that run is known; null when there is none.</summary>
    public ValueTask<RunRecord?> FindLatestAsync(string threadId, CancellationToken cancellationToken) => store.FindLatestAsync(threadId, cancellationToken);

    /// <summary>The run's answer so far (its snapshot, with its end once it has ended); null when no such run is known.</summary>
    public ValueTask<RunSnapshot?> OutputAsync(string runId, CancellationToken cancellationToken) => store.OutputAsync(runId, cancellationToken);

    /// <summary>
    /// A reader of the run's events after <paramref name="afterSequence"/> (0: from the first); from the run's snapshot
    /// when those events are no longer held.
    /// </summary>
    public async ValueTask<RunOpening> OpenAsync(string runId, long afterSequence, CancellationToken readerGone)
    {
        // Its own span, linked to the run's trace: the run's record says where that is (read only when spans are recorded).
        using var span = RunTracing.IsRecording
            ? RunTracing.StartResume(runId, afterSequence, (await store.FindAsync(runId, readerGone).ConfigureAwait(false))?.TraceParent)
            : null;
        var opening = await store.OpenAsync(runId, afterSequence, readerGone).ConfigureAwait(false);
        span?.SetTag(RunTracing.Opening, opening.Status.ToString());
        return opening;
    }

    /// <summary>
    /// Stops a run (<c>done</c> reason <c>stopped</c>): at once when this instance executes it, else through the store,
    /// which tells the instance that does. Returns the run's record as it was asked to stop, or null when no such run
    /// is known.
    /// </summary>
    public async ValueTask<RunRecord?> CancelAsync(string runId, CancellationToken cancellationToken)
    {
        if (_active.TryGetValue(runId, out var run))
        {
            // Read before the stop: a stopped run may end, and its record say so, before a read after it returns.
            var asked = await store.FindAsync(runId, cancellationToken).ConfigureAwait(false);
            run.Stop(StopReasons.Stopped);
            // Stored as waiting meanwhile, its task gone (see SuspendAsync): the waiting run is ended as below.
            if (!_active.TryGetValue(runId, out var current) || current != run) await EndIfWaitingAsync(runId, cancellationToken).ConfigureAwait(false);
            return asked;
        }
        var record = await store.FindAsync(runId, cancellationToken).ConfigureAwait(false);
        if (record is { IsRunning: true }) await store.RequestStopAsync(runId, StopReasons.Stopped, cancellationToken).ConfigureAwait(false);
        else if (record is { Status: RunStatus.Waiting }) await ResumeAsync(runId, StopReasons.Stopped, cancellationToken).ConfigureAwait(false);
        return record;
    }

    /// <summary>A waiting run has no task to stop: it is taken up here, its open approvals denied, and ends.</summary>
    private async ValueTask EndIfWaitingAsync(string runId, CancellationToken cancellationToken)
    {
        if (await store.FindAsync(runId, cancellationToken).ConfigureAwait(false) is { Status: RunStatus.Waiting })
            await ResumeAsync(runId, StopReasons.Stopped, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Records a decision on one of a waiting run's approvals; once the run has a decision on each, it goes on here
    /// (whichever instance started it). A decision on an approval whose run already went on is answered as it stands.
    /// </summary>
    public ValueTask<ApprovalDecisionResult> DecideAsync(string runId, string approvalId, bool approved, string? reason,
        CancellationToken cancellationToken) =>
        ClientTool.CallIdOf(approvalId) is not null // a client's call is answered by its result, never by a decision
            ? ValueTask.FromResult(new ApprovalDecisionResult(ApprovalOutcome.Unknown, null))
            : AnswerAsync(runId, new ApprovalDecision(approvalId, approved, reason), cancellationToken);

    /// <summary>How long a run waits for each answer it asks for (<c>Runs:ApprovalTimeoutSeconds</c>): a decision or a client's result.</summary>
    private TimeSpan AnswerTimeout => TimeSpan.FromSeconds(options.Value.ApprovalTimeoutSeconds);

    /// <summary>How long an answer that finds its run still running waits for the run to wait.</summary>
    private static readonly TimeSpan AnswerPatience = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Records what the client's tool returned for the call <paramref name="callId"/> of a waiting run
    /// (<paramref name="output"/>, JSON text); once the run has every answer it waits for, it goes on here. The same result
    /// again is answered as <see cref="ApprovalOutcome.Same"/>, another as a conflict.
    /// </summary>
    public ValueTask<ApprovalDecisionResult> SubmitToolResultAsync(string runId, string callId, string output, CancellationToken cancellationToken) =>
        AnswerAsync(runId, new ApprovalDecision(ClientTool.WaitId(callId), true, null) { Output = output }, cancellationToken);

    private async ValueTask<ApprovalDecisionResult> AnswerAsync(string runId, ApprovalDecision decision, CancellationToken cancellationToken)
    {
        var result = await store.DecideAsync(runId, decision, cancellationToken).ConfigureAwait(false);
        // An answer may come as soon as the request is read, while the run, still running, is about to wait: it is given
        // again once the run waits (it stops right after its turn's requests), rather than refused as unknown.
        var pause = TimeSpan.FromMilliseconds(10);
        for (var waited = TimeSpan.Zero; result.Outcome == ApprovalOutcome.Unknown && waited < AnswerPatience; waited += pause, pause *= 2)
        {
            if (await store.FindAsync(runId, cancellationToken).ConfigureAwait(false) is not { IsRunning: true }) break;
            await Task.Delay(pause, time, cancellationToken).ConfigureAwait(false);
            result = await store.DecideAsync(runId, decision, cancellationToken).ConfigureAwait(false);
        }
        if (result.Outcome != ApprovalOutcome.Recorded) return result;
        try
        {
            await ResumeAsync(runId, null, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            // The answer is recorded; the run could not go on here. That is the run's failure (its end says so, or, were
            // its store out of reach, the run's record stays where the store left it): the one who answered is not to blame.
            RunLogMessages.RunFailed(logger, exception, runId, "resume");
        }
        return result;
    }

    /// <summary>
    /// Takes up a waiting run, if the store gives this instance its checkpoint (every approval decided or expired; or at
    /// once, when <paramref name="stopping"/>): it is written by this instance from now on, starting with the
    /// <c>approval</c> events, then the agent goes on from its checkpoint with the decisions. False when another caller
    /// took it, or it is not due yet.
    /// </summary>
    public async ValueTask<bool> ResumeAsync(string runId, string? stopping, CancellationToken cancellationToken)
    {
        if (_draining && stopping is null) return false; // it stays waiting in the store, for another instance's timeouts or decisions
        if (await store.ClaimAsync(runId, stopping, cancellationToken).ConfigureAwait(false) is not { } claimed) return false;
        var checkpoint = claimed.Checkpoint;
        var waiting = checkpoint.Record;
        var agent = agents.Find(waiting.Agent) ?? throw new InvalidOperationException($"Run {runId} waits for agent {waiting.Agent}, which is not here.");
        var plan = new RunPlan(waiting.Endpoint, agent, new AgentRequest(checkpoint.Prompt)
        {
            Resume = new AgentResume(checkpoint.Agent, claimed.Decisions),
        })
        {
            LimitKey = checkpoint.LimitKey,
            Shape = checkpoint.Shape,
            WhenUnattended = checkpoint.WhenUnattended,
            ThreadId = waiting.ThreadId,
            Principal = waiting.Principal,
        };
        var limit = TimeSpan.FromSeconds(Math.Max(1, checkpoint.TimeLimitSeconds));
        var run = new ActiveRun(runId, plan, limit, DetachGraceOf(plan), time, store) { TimeLimit = limit };
        run.Context.Stats.Restore(checkpoint.Stats);
        var record = waiting with { Status = RunStatus.Running };
        // The same trace as the run's start, wherever that was; linked to the decision that took it up.
        var span = RunTracing.ContinueRun(runId, agent.Name, agent.Model, waiting.Endpoint, waiting.ThreadId, waiting.TraceParent);
        IRunLog? log = null;
        try
        {
            log = await store.ReopenAsync(checkpoint, record, run).ConfigureAwait(false);
            foreach (var (asked, decision) in checkpoint.Approvals.Zip(claimed.Decisions))
                await log.AppendAsync(Answered(asked, decision), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            RunTracing.Failed(span, exception, exception.GetType().Name);
            RunTracing.Ended(span, RunStatus.Failed, null);
            // Claimed, it is this instance's: once its log is open again it ends as failed, rather than stay running with no task.
            if (log is not null) await EndFailedAsync(log, record, run.Context.Stats, exception).ConfigureAwait(false);
            run.Dispose();
            throw;
        }
        if (stopping is not null) run.Stop(stopping);
        _active[runId] = run;
        foreach (var observer in _observers) await observer.RunResumedAsync(runId, plan).ConfigureAwait(false);
        metrics.RunStarted(plan.Endpoint);
        RunLogMessages.RunResumed(logger, runId, claimed.Decisions.Count(d => d.Approved), claimed.Decisions.Count(d => !d.Approved));
        run.Completion = ExecuteAsync(run, log, record, span);
        return true;
    }

    /// <summary>
    /// Graceful shutdown: starts no new run, gives running ones <paramref name="grace"/> to finish, then stops what is
    /// left (<c>done</c> reason <c>server-stopping</c>) and waits for their last events to be written.
    /// </summary>
    public async Task DrainAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        _draining = true;
        if (!_active.IsEmpty) RunLogMessages.Draining(logger, _active.Count, grace.TotalSeconds);
        var deadline = time.GetTimestamp() + (long)(grace.TotalSeconds * time.TimestampFrequency);
        while (!_active.IsEmpty && time.GetTimestamp() < deadline && !cancellationToken.IsCancellationRequested)
        {
            var remaining = TimeSpan.FromSeconds((deadline - time.GetTimestamp()) / (double)time.TimestampFrequency);
            await Task.WhenAll(_active.Values.Select(r => r.Completion)).WaitAsync(remaining, time, cancellationToken)
                .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        var left = _active.Values.ToList();
        foreach (var run in left) run.Stop(StopReasons.ServerStopping);
        await Task.WhenAll(left.Select(r => r.Completion)).WaitAsync(TimeSpan.FromSeconds(10), time)
            .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>
    /// The run's task, from its first event on to its last, on the thread pool: it returns to its caller at once, before any
    /// of its work (as <see cref="Task.Run(Func{Task})"/> would, without the closure, delegate and proxy task a run paid for that).
    /// </summary>
    private async Task ExecuteAsync(ActiveRun run, IRunLog log, RunRecord record, Activity? span)
    {
        await Task.CompletedTask.ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
        var stats = run.Context.Stats;
        var stop = run.StopToken;
        Exception? thrown = null;
        try
        {
            // A run stopped before it began (its client left at once) asks the model for nothing: it only ends.
            if (!stop.IsCancellationRequested)
            {
                var events = run.Plan.Agent.RunAsync(run.Plan.Request, run.Context, stop);
                // A shaper reads the figures of the events it reshapes, so they are counted before it; without one, here.
                var shaper = run.Plan.Shape?.ToShaper(time);
                if (shaper is not null) events = shaper(Count(events, stats), run.Context, stop);
                var counted = shaper is null;
                List<ApprovalRequested>? asked = null;
                await foreach (var @event in events.WithCancellation(stop).ConfigureAwait(false))
                {
                    // A stopped run writes nothing more: what its shapers make of its quiet end (a last progress, buffered
                    // text) is not its answer.
                    if (stop.IsCancellationRequested) break;
                    if (@event is RunPaused paused)
                    {
                        if (await SuspendAsync(run, log, record, paused.Checkpoint, asked ?? []).ConfigureAwait(false))
                        {
                            RunTracing.Ended(span, RunStatus.Waiting, null); // the run goes on in a span of its own once it is taken up
                            return;
                        }
                        break; // stopped as it was about to wait (or nothing to decide): it ends below
                    }
                    var written = @event;
                    if (@event is ApprovalRequested request)
                    {
                        // Its deadline is the run host's to give: the agent knows nothing of how long a person may take.
                        written = request with { ExpiresAt = time.GetUtcNow() + AnswerTimeout };
                        (asked ??= []).Add((ApprovalRequested)written);
                    }
                    else if (@event is ToolCallStarted { Client: true } call)
                    {
                        // The client's tool: the run will wait for its result, as for an approval, and as long, under an id no
                        // approval has (ClientTool.WaitId), which tells the two apart wherever the checkpoint goes.
                        (asked ??= []).Add(new ApprovalRequested(ClientTool.WaitId(call.CallId), call.CallId, call.Name, call.Arguments,
                            time.GetUtcNow() + AnswerTimeout));
                    }
                    if (counted) stats.Observe(written);
                    await log.AppendAsync(written, stop).ConfigureAwait(false);
                }
            }
        }
        catch (Exception caught)
        {
            thrown = caught;
        }
        await EndAsync(run, log, record, span, thrown).ConfigureAwait(false);
    }

    /// <summary>
    /// The end of a run's task: its last events and record, its observers, metrics, log and span, and its place among the
    /// active runs given up. A method of its own, so that the task's state, which a run holds while it streams, keeps
    /// none of what only its end needs.
    /// </summary>
    private async Task EndAsync(ActiveRun run, IRunLog log, RunRecord record, Activity? span, Exception? thrown)
    {
        var plan = run.Plan;
        var stats = run.Context.Stats;
        var stop = run.StopToken;
        string status;
        string? reason;
        RunError? error = null;
        // How the run ended is read from its stop token, not from an exception: a stopped agent may end quietly (the
        // offline model does), or throw on the way out (a tool, a provider's HTTP call); either way it was stopped.
        if (stop.IsCancellationRequested && run.Failure is null)
        {
            status = RunStatus.Cancelled;
            reason = run.StopReason;
        }
        else if ((run.Failure ?? thrown) is { } exception)
        {
            status = RunStatus.Failed;
            RunLogMessages.RunFailed(logger, exception, run.Id, plan.Endpoint);
            error = RunErrors.From(exception, run.Id);
            reason = error.Type;
            RunTracing.Failed(span, exception, error.Type);
        }
        else
        {
            status = RunStatus.Completed;
            reason = stats.EndReason;
        }

        var elapsed = stats.Elapsed;
        var done = new RunDone(status, reason, stats.Chunks, stats.Chars, (long)elapsed.TotalMilliseconds, stats.Usage);
        try
        {
            await log.CompleteAsync(error is null ? [done] : [error, done],
                record with { Status = status, Reason = reason, EndedAt = time.GetUtcNow() }).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            RunLogMessages.EndNotStored(logger, exception, run.Id);
        }
        finally
        {
            foreach (var observer in _observers) await observer.RunEndedAsync(run.Id, plan, stats).ConfigureAwait(false);
            metrics.RunEnded(plan.Endpoint, status, elapsed);
            RunLogMessages.RunEnded(logger, run.Id, plan.Endpoint, plan.Agent.Name, plan.Agent.Model, status, reason,
                stats.Chunks, stats.Chars, stats.ToolCalls, (long)elapsed.TotalMilliseconds);
            RunTracing.Ended(span, status, reason);
            _active.TryRemove(run.Id, out _); // last: a run no longer active is finished in every respect
            run.Dispose();
        }
    }

    /// <summary>
    /// The agent stopped to wait for approvals: the run becomes a checkpoint in the store and its task ends here, with
    /// no end (no <c>done</c>, no observer told): its readers wait on its open log. False when the run was stopped meanwhile,
    /// or asked for nothing to decide; it then ends as usual.
    /// </summary>
    private async Task<bool> SuspendAsync(ActiveRun run, IRunLog log, RunRecord record, AgentCheckpoint agent, List<ApprovalRequested> asked)
    {
        if (run.StopToken.IsCancellationRequested || asked.Count == 0) return false;
        var stats = run.Context.Stats.Snapshot();
        var left = run.TimeLimit - TimeSpan.FromMilliseconds(stats.ElapsedMs); // what the run's own work has left of its limit
        var checkpoint = new RunCheckpoint(record with { Status = RunStatus.Waiting }, run.Plan.Request.Prompt, agent, asked, stats,
            Math.Max(1, left.TotalSeconds), run.Plan.LimitKey, run.Plan.Shape, run.Plan.WhenUnattended);
        await store.SuspendAsync(log, checkpoint).ConfigureAwait(false);
        foreach (var observer in _observers) await observer.RunWaitingAsync(run.Id, run.Plan).ConfigureAwait(false);
        metrics.RunWaiting(run.Plan.Endpoint);
        RunLogMessages.RunWaiting(logger, run.Id, run.Plan.Endpoint, asked.Count, checkpoint.Deadline, stats.ElapsedMs);
        _active.TryRemove(run.Id, out _);
        // A stop asked for (a cancel, a client that cannot answer) while the run was being stored as waiting reached
        // a task that reads it no more: the waiting run is taken up and ends, as a stopped waiting run does. A cancel
        // that finds the run gone from the active ones after its stop does the same (CancelAsync); one claim wins.
        var stoppedMeanwhile = run.StopReason == StopReasons.Stopped;
        run.Dispose();
        if (stoppedMeanwhile) await ResumeAsync(run.Id, StopReasons.Stopped, CancellationToken.None).ConfigureAwait(false);
        return true;
    }

    /// <summary>Ends a run that failed before its task began: its <c>error</c> and <c>done</c>, as far as the store takes them.</summary>
    private async Task EndFailedAsync(IRunLog log, RunRecord record, RunStats stats, Exception exception)
    {
        var error = RunErrors.From(exception, record.RunId);
        var done = new RunDone(RunStatus.Failed, error.Type, stats.Chunks, stats.Chars, (long)stats.Elapsed.TotalMilliseconds, stats.Usage);
        try
        {
            await log.CompleteAsync([error, done], record with { Status = RunStatus.Failed, Reason = error.Type, EndedAt = time.GetUtcNow() }).ConfigureAwait(false);
        }
        catch (Exception notStored)
        {
            RunLogMessages.EndNotStored(logger, notStored, record.RunId);
        }
    }

    /// <summary>
    /// How a run that waited tells what it got, as it goes on: an <c>approval</c> event per decision, and the
    /// <c>tool-result</c> of each call of the client's tools (its output, or, when none came, an error with the reason).
    /// </summary>
    private AgentEvent Answered(ApprovalRequested asked, ApprovalDecision decision)
    {
        if (ClientTool.CallIdOf(asked.ApprovalId) is null) return new ApprovalDecided(decision.ApprovalId, decision.Approved, decision.Reason);
        var waited = time.GetUtcNow() - (asked.ExpiresAt - AnswerTimeout);
        return new ToolCallCompleted(asked.CallId, asked.Name, decision.Output is { } output ? JsonSerializer.Deserialize<JsonElement>(output) : null,
            Math.Max(0, (long)waited.TotalMilliseconds))
        {
            Client = true,
            Error = decision.Output is null ? decision.Reason ?? ApprovalReasons.TimedOut : null,
        };
    }

    private static async IAsyncEnumerable<AgentEvent> Count(IAsyncEnumerable<AgentEvent> events, RunStats stats,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var @event in events.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            stats.Observe(@event);
            yield return @event;
        }
    }
}
