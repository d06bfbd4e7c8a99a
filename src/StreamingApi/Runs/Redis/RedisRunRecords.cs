using System.Globalization;
using StackExchange.Redis;
using StreamingApi.Agents;

namespace StreamingApi.Runs.Redis;

/// <summary>
/// Runs' records in Redis (<see cref="RedisKeys.Run"/>): written when a run starts, with its owner and its figures, read
/// by any instance, and ended there when the run's owner cannot end it itself (its lease expired, or Redis was away).
/// </summary>
internal sealed class RedisRunRecords(RedisRunContext context, ILogger logger)
{
    private readonly CancellationTokenSource _stopping = new();

    private RedisKeys Keys => context.Keys;

    /// <summary>
    /// The instance stops: records still waiting for Redis to come back (<see cref="EndWhenBack"/>) are left to the lease,
    /// whose expiry has any instance fail its runs.
    /// </summary>
    public void Stop() => _stopping.Cancel();

    /// <summary>
    /// The new run's record, owned by this instance, and its thread's latest run, both living for
    /// <paramref name="lifetime"/>, in one command (<see cref="RedisScripts.CreateRun"/>); Redis out of reach is the
    /// store unavailable.
    /// </summary>
    public async Task CreateAsync(IDatabase database, RunRecord record, TimeSpan lifetime)
    {
        RedisKey[] keys = record.ThreadId is { } threadId ? [Keys.Run(record.RunId), Keys.Thread(threadId)] : [Keys.Run(record.RunId)];
        var arguments = new RedisValue[2 + FieldArguments + 6];
        (arguments[0], arguments[1]) = ((long)lifetime.TotalSeconds, record.RunId);
        WriteFields(record, arguments, 2);
        (arguments[^6], arguments[^5], arguments[^4], arguments[^3], arguments[^2], arguments[^1]) =
            ("owner", context.InstanceId, "chunks", 0, "chars", 0);
        try
        {
            await database.ScriptEvaluateAsync(RedisScripts.CreateRun, keys, arguments);
        }
        catch (Exception exception) when (RedisGuard.IsOutOfReach(exception))
        {
            throw context.Guard.Unavailable(exception);
        }
    }

    /// <summary>
    /// The run's record as Redis has it, after failing the run when its owner's lease has expired; read with the lease
    /// in one round trip (<see cref="RedisScripts.ReadRun"/>).
    /// </summary>
    public async Task<StoredRun?> ReadAsync(string runId)
    {
        var database = await context.Guard.DatabaseAsync();
        var reply = await context.Guard.RunAsync(() => database.ScriptEvaluateAsync(RedisScripts.ReadRun, [Keys.Run(runId)],
            [Keys.InstancePrefix, context.InstanceId]));
        if (reply.IsNull) return null;
        var parts = (RedisResult[])reply!;
        var flat = (RedisValue[])parts[0]!;
        var hash = new HashEntry[flat.Length / 2];
        for (var i = 0; i < hash.Length; i++) hash[i] = new HashEntry(flat[2 * i], flat[2 * i + 1]);
        var stored = StoredRun.From(hash);
        if (stored is not { Record.IsRunning: true } || (int)parts[1] == 1) return stored;
        await FailRunAsync(database, stored, RunErrors.InstanceLostError(), ownerMustBeGone: true);
        return StoredRun.From(await context.Guard.RunAsync(() => database.HashGetAllAsync(Keys.Run(runId))));
    }

    /// <summary>
    /// A run of this instance failed because Redis went away: once Redis is back, its record there is ended too
    /// (<c>store-unavailable</c>), so that no reader elsewhere waits for it. Tried for two minutes, or until the instance stops.
    /// </summary>
    public void EndWhenBack(string runId) => _ = Task.Run(async () =>
    {
        for (var attempt = 0; attempt < 60; attempt++)
        {
            await Task.Delay(TimeSpan.FromSeconds(2), context.Time, _stopping.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (_stopping.IsCancellationRequested) return;
            try
            {
                var database = await context.Guard.DatabaseAsync();
                if (StoredRun.From(await context.Guard.RunAsync(() => database.HashGetAllAsync(Keys.Run(runId)))) is { Record.IsRunning: true } stored)
                    await FailRunAsync(database, stored, new RunError(RunErrors.StoreUnavailable, "The run store is unavailable",
                        StatusCodes.Status502BadGateway, "The run's events could not be kept (the run store was out of reach), so the run was stopped."),
                        ownerMustBeGone: false);
                return;
            }
            catch (RunStoreUnavailableException)
            {
                // still away
            }
        }
    });

    /// <summary>The record's fields as the hash keeps them (<see cref="StoredRun.From"/> reads them back), and <paramref name="more"/>.</summary>
    public static HashEntry[] ToHash(RunRecord record, params ReadOnlySpan<HashEntry> more)
    {
        var fields = new HashEntry[FieldNames.Length + more.Length];
        for (var i = 0; i < FieldNames.Length; i++) fields[i] = new(FieldNames[i], ValueOf(record, i));
        more.CopyTo(fields.AsSpan(FieldNames.Length));
        return fields;
    }

    /// <summary>How many arguments <see cref="WriteFields"/> writes: a name and a value for each of the record's fields.</summary>
    public static int FieldArguments => 2 * FieldNames.Length;

    /// <summary>
    /// The record's fields as <see cref="ToHash"/> has them, written as name and value pairs into a script's arguments from
    /// <paramref name="at"/>: a run writes its record twice (start and end), each time in a script, with no array between.
    /// </summary>
    public static void WriteFields(RunRecord record, RedisValue[] arguments, int at)
    {
        for (var i = 0; i < FieldNames.Length; i++) (arguments[at + 2 * i], arguments[at + 2 * i + 1]) = (FieldNames[i], ValueOf(record, i));
    }

    /// <summary>The names of the record's own fields in the hash, in the order of <see cref="ValueOf"/>.</summary>
    private static readonly string[] FieldNames =
        ["runId", "agent", "endpoint", "model", "status", "reason", "startedAt", "endedAt", "lastSequence", "threadId", "principal", "traceParent"];

    /// <summary>The value of the record's field <paramref name="field"/> (its index in <see cref="FieldNames"/>) as the hash keeps it.</summary>
    private static RedisValue ValueOf(RunRecord record, int field) => field switch
    {
        0 => record.RunId,
        1 => record.Agent,
        2 => record.Endpoint,
        3 => record.Model,
        4 => record.Status,
        5 => record.Reason ?? "",
        6 => record.StartedAt.ToString("O", CultureInfo.InvariantCulture),
        7 => record.EndedAt?.ToString("O", CultureInfo.InvariantCulture) ?? "",
        8 => record.LastSequence,
        9 => record.ThreadId ?? "",
        10 => record.Principal ?? "",
        _ => record.TraceParent ?? "",
    };

    /// <summary>
    /// A run this instance runs was ended in Redis by another instance (its record no longer says <c>running</c>): the
    /// failure its owner stops it with. <paramref name="reason"/> is the record's, empty when the record is gone.
    /// </summary>
    public Exception EndedElsewhere(string runId, string reason) => reason == RunErrors.InstanceLost
        ? new RunFailedElsewhereException(runId, RunErrors.InstanceLostError())
        : context.Guard.Unavailable(null); // the record expired or was removed

    /// <summary>Says, once per run, that its owner found it failed by another instance (<see cref="EndedElsewhere"/>).</summary>
    public void LogEndedElsewhere(string runId) => RedisLog.FailedElsewhere(logger, runId, RunErrors.InstanceLost);

    /// <summary>
    /// Ends a run in Redis with <c>error</c> and <c>done</c> {failed} after its last event, if it is still running (and,
    /// with <paramref name="ownerMustBeGone"/>, only if its owner's lease has expired): atomically, so that whoever
    /// notices first does it once, and tells its owner, should it still be there, to stop it. Returns whether it did.
    /// </summary>
    private async Task<bool> FailRunAsync(IDatabase database, StoredRun run, RunError error, bool ownerMustBeGone)
    {
        var type = error.Type;
        var done = new RunDone(RunStatus.Failed, type, run.Chunks, run.Chars, (long)(context.Time.GetUtcNow() - run.Record.StartedAt).TotalMilliseconds, null);
        var failed = (bool)await context.Guard.RunAsync(() => database.ScriptEvaluateAsync(RedisScripts.FailRun,
            [Keys.Run(run.Record.RunId), Keys.Events(run.Record.RunId), Keys.Snapshot(run.Record.RunId), Keys.Text(run.Record.RunId), Keys.Reasoning(run.Record.RunId)],
            [
                ownerMustBeGone ? Keys.InstancePrefix : "", context.Codec.Encode(error), context.Codec.Encode(done), type,
                context.Time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture), (long)context.RunOptions.RetentionSeconds,
                (string)Keys.Appended(run.Record.RunId)!, AgentEventTypes.Error, AgentEventTypes.Done, (string)Keys.Stops!, run.Record.RunId,
            ]));
        if (failed && ownerMustBeGone) RedisLog.InstanceLost(logger, run.Record.RunId, run.Owner);
        return failed;
    }
}
