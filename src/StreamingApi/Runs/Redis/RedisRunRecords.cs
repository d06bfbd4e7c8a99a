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
    private RedisKeys Keys => context.Keys;

    /// <summary>
    /// The new run's record, owned by this instance, and its thread's latest run, both living for
    /// <paramref name="lifetime"/>, in one batch.
    /// </summary>
    public Task CreateAsync(IDatabase database, RunRecord record, TimeSpan lifetime) => context.Guard.RunAsync(async () =>
    {
        var batch = database.CreateBatch();
        var written = batch.HashSetAsync(Keys.Run(record.RunId), ToHash(record, [new("owner", context.InstanceId), new("chunks", 0), new("chars", 0)]));
        var expiring = batch.KeyExpireAsync(Keys.Run(record.RunId), lifetime);
        var latest = record.ThreadId is { } threadId ? batch.StringSetAsync(Keys.Thread(threadId), record.RunId, lifetime) : Task.FromResult(true);
        batch.Execute();
        await Task.WhenAll(written, expiring, latest);
    });

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
        await FailRunAsync(database, stored, RunErrors.InstanceLost, "The instance that ran it is gone",
            $"The instance that ran it stopped answering; the run was stopped.", ownerMustBeGone: true);
        return StoredRun.From(await context.Guard.RunAsync(() => database.HashGetAllAsync(Keys.Run(runId))));
    }

    /// <summary>
    /// A run of this instance failed because Redis went away: once Redis is back, its record there is ended too
    /// (<c>store-unavailable</c>), so that no reader elsewhere waits for it. Tried for two minutes.
    /// </summary>
    public void EndWhenBack(string runId) => _ = Task.Run(async () =>
    {
        for (var attempt = 0; attempt < 60; attempt++)
        {
            await Task.Delay(TimeSpan.FromSeconds(2), context.Time);
            try
            {
                var database = await context.Guard.DatabaseAsync();
                if (StoredRun.From(await context.Guard.RunAsync(() => database.HashGetAllAsync(Keys.Run(runId)))) is { Record.IsRunning: true } stored)
                    await FailRunAsync(database, stored, RunErrors.StoreUnavailable, "The run store is unavailable",
                        "The run's events could not be kept (the run store was out of reach), so the run was stopped.", ownerMustBeGone: false);
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
        // One array of the exact length: a run writes its record twice (start and end), each of a dozen fields.
        var fields = new HashEntry[RecordFields + more.Length];
        fields[0] = new("runId", record.RunId);
        fields[1] = new("agent", record.Agent);
        fields[2] = new("endpoint", record.Endpoint);
        fields[3] = new("model", record.Model);
        fields[4] = new("status", record.Status);
        fields[5] = new("reason", record.Reason ?? "");
        fields[6] = new("startedAt", record.StartedAt.ToString("O", CultureInfo.InvariantCulture));
        fields[7] = new("endedAt", record.EndedAt?.ToString("O", CultureInfo.InvariantCulture) ?? "");
        fields[8] = new("lastSequence", record.LastSequence);
        fields[9] = new("threadId", record.ThreadId ?? "");
        fields[10] = new("principal", record.Principal ?? "");
        fields[11] = new("traceParent", record.TraceParent ?? "");
        more.CopyTo(fields.AsSpan(RecordFields));
        return fields;
    }

    /// <summary>How many of <see cref="ToHash"/>'s fields are the record's own.</summary>
    private const int RecordFields = 12;

    /// <summary>
    /// Ends a run in Redis with <c>error</c> and <c>done</c> {failed} after its last event, if it is still running (and,
    /// with <paramref name="ownerMustBeGone"/>, only if its owner's lease has expired): atomically, so that whoever
    /// notices first does it once. Returns whether it did.
    /// </summary>
    private async Task<bool> FailRunAsync(IDatabase database, StoredRun run, string type, string title, string detail, bool ownerMustBeGone)
    {
        var error = new RunError(type, title, StatusCodes.Status502BadGateway, detail);
        var done = new RunDone(RunStatus.Failed, type, run.Chunks, run.Chars, (long)(context.Time.GetUtcNow() - run.Record.StartedAt).TotalMilliseconds, null);
        var failed = (bool)await context.Guard.RunAsync(() => database.ScriptEvaluateAsync(RedisScripts.FailRun,
            [Keys.Run(run.Record.RunId), Keys.Events(run.Record.RunId), Keys.Snapshot(run.Record.RunId), Keys.Text(run.Record.RunId), Keys.Reasoning(run.Record.RunId)],
            [
                ownerMustBeGone ? Keys.InstancePrefix : "", context.Codec.Encode(error), context.Codec.Encode(done), type,
                context.Time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture), (long)context.RunOptions.RetentionSeconds,
                (string)Keys.Appended(run.Record.RunId)!, AgentEventTypes.Error, AgentEventTypes.Done,
            ]));
        if (failed && ownerMustBeGone) RedisLog.InstanceLost(logger, run.Record.RunId, run.Owner);
        return failed;
    }
}
