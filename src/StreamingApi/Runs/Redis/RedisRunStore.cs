using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using StreamingApi.Agents;
using StreamingApi.Observability;
using StreamingApi.Runs.Memory;

namespace StreamingApi.Runs.Redis;

/// <summary>
/// Runs shared by several instances through Redis. A run executes on the instance that started it, which keeps its
/// events in memory for its own readers (as the memory store does) and adds them, batched and pipelined, to a Redis
/// Stream that readers on any instance follow, and to its snapshot beside it (<see cref="RedisSnapshots"/>), so that
/// any instance serves its answer and the events the stream no longer holds; its record and figures live in a hash
/// beside it. A stop asked on any instance reaches the owner over pub/sub. Each instance holds a lease while it lives:
/// a run whose owner's lease has expired is failed (<c>instance-lost</c>) by whoever notices first, so readers
/// elsewhere never hang.
/// </summary>
public sealed class RedisRunStore : IRunStore, IHostedService
{
    private readonly ConcurrentDictionary<string, IRunOwner> _owners = new();
    private readonly ConcurrentDictionary<RedisRunReader, byte> _readers = new();
    private readonly RedisConnection _connection;
    private readonly MemoryRunStore _local;
    private readonly IOptions<RunOptions> _runOptions;
    private readonly ILogger<RedisRunStore> _logger;
    private ITimer? _lease;
    private int _subscribed;

    public RedisRunStore(RedisConnection connection, MemoryRunStore local, RunEventCodec codec, IOptions<RunOptions> runOptions,
        IOptions<RedisOptions> options, StreamingMetrics metrics, TimeProvider time, ILogger<RedisRunStore> logger)
    {
        Metrics = metrics;
        _connection = connection;
        _local = local;
        _runOptions = runOptions;
        _logger = logger;
        Codec = codec;
        Options = options.Value;
        Time = time;
        Keys = new RedisKeys(Options.KeyPrefix);
        Snapshots = new RedisSnapshots(Keys, codec);
        InstanceId = $"{Environment.MachineName}-{Environment.ProcessId}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3))}";
        connection.Lost += FailEverything;
        connection.Restored += () => _ = ConnectedAsync();
    }

    /// <summary>This instance's name in Redis (the owner of the runs it executes).</summary>
    public string InstanceId { get; }

    internal RedisKeys Keys { get; }

    internal RedisSnapshots Snapshots { get; }

    internal RedisOptions Options { get; }

    internal RunEventCodec Codec { get; }

    internal StreamingMetrics Metrics { get; }

    internal TimeProvider Time { get; }

    internal RunOptions RunOptions => _runOptions.Value;

    /// <summary>Connects (without waiting for Redis when it is away), listens for stops, and keeps this instance's lease.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _connection.GetAsync();
        await ConnectedAsync();
        var every = TimeSpan.FromSeconds(Math.Max(0.2, Options.LeaseSeconds / 3));
        _lease = Time.CreateTimer(_ => _ = RenewLeaseAsync(), null, every, every);
    }

    /// <summary>On start, and whenever Redis comes back: the stop channel (once; the client renews it after), the lease.</summary>
    private async Task ConnectedAsync()
    {
        try
        {
            if (Interlocked.CompareExchange(ref _subscribed, 1, 0) == 0)
            {
                var multiplexer = await _connection.GetAsync();
                await multiplexer.GetSubscriber().SubscribeAsync(Keys.Stops, (_, message) => OnStopRequested(message));
            }
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            Volatile.Write(ref _subscribed, 0); // Redis is away: the connection's log line says so, and its return tries again
        }
        await RenewLeaseAsync();
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _lease?.Dispose();
        try
        {
            await (await DatabaseAsync()).KeyDeleteAsync(Keys.Instance(InstanceId)); // a clean stop: no one waits for a lease to expire
        }
        catch (RunStoreUnavailableException)
        {
        }
    }

    public async ValueTask<IRunLog> CreateAsync(RunRecord record, IRunOwner owner, CancellationToken cancellationToken)
    {
        var database = await DatabaseAsync();
        var settings = RunOptions;
        var lifetime = TimeSpan.FromSeconds(settings.MaxRunSeconds + settings.RetentionSeconds + 60); // a record never outlives its run for long
        await Guard(async () =>
        {
            var batch = database.CreateBatch();
            var written = batch.HashSetAsync(Keys.Run(record.RunId), ToHash(record, [new("owner", InstanceId), new("chunks", 0), new("chars", 0)]));
            var expiring = batch.KeyExpireAsync(Keys.Run(record.RunId), lifetime);
            var latest = record.ThreadId is { } threadId ? batch.StringSetAsync(Keys.Thread(threadId), record.RunId, lifetime) : Task.FromResult(true);
            batch.Execute();
            await Task.WhenAll(written, expiring, latest);
        });
        _owners[record.RunId] = owner;
        // The returning reader may come back on another instance, through Redis: the stream holds its place there.
        var local = _local.Create(record, owner, holdsPlace: false);
        return new RedisRunLog(this, local, record, database, Snapshots.Writer(record.RunId, lifetime), () => _owners.TryRemove(record.RunId, out _));
    }

    public async ValueTask<RunRecord?> FindAsync(string runId, CancellationToken cancellationToken)
    {
        if (_local.Find(runId) is { } local) return local.Record;
        return (await ReadAsync(runId))?.Record;
    }

    /// <summary>The thread's key names its latest run; the run's own record says whether it is still known.</summary>
    public async ValueTask<RunRecord?> FindLatestAsync(string threadId, CancellationToken cancellationToken)
    {
        var database = await DatabaseAsync();
        var runId = (string?)await Guard(() => database.StringGetAsync(Keys.Thread(threadId)));
        return runId is null ? null : await FindAsync(runId, cancellationToken);
    }

    /// <summary>A run of another instance: its stored snapshot with the stream's events after it (its end among them, once it has ended).</summary>
    public async ValueTask<RunSnapshot?> OutputAsync(string runId, CancellationToken cancellationToken)
    {
        if (_local.Find(runId) is { } local) return local.Output;
        var database = await DatabaseAsync();
        if (await Guard(() => Snapshots.ReadAsync(database, runId, maxEntries: 0)) is not { } stored) return null;
        var output = new RunSnapshotBuilder(stored.Snapshot);
        foreach (var entry in stored.After)
            foreach (var @event in Snapshots.EventsOf(entry, output.Sequence)) output.Apply(@event);
        return output.Build();
    }

    public async ValueTask<RunOpening> OpenAsync(string runId, long afterSequence, CancellationToken readerGone)
    {
        if (_local.Find(runId) is { } local) return local.Open(afterSequence, readerGone);
        if (await ReadAsync(runId) is not { } stored) return RunOpening.Unknown;
        var database = await DatabaseAsync();
        var next = Math.Max(1, afterSequence + 1);
        if (!stored.Record.IsRunning && next > stored.Record.LastSequence) return RunOpening.Ended;
        // A position the stream no longer holds is the reader's to notice: it gives the snapshot first, as it does
        // when it falls behind the stream later.
        var reader = new RedisRunReader(this, database, runId, next - 1, readerGone);
        _readers[reader] = 0;
        await reader.StartAsync();
        return new RunOpening(RunOpeningStatus.Opened, reader);
    }

    public async ValueTask<bool> RequestStopAsync(string runId, string reason, CancellationToken cancellationToken)
    {
        if (_owners.TryGetValue(runId, out var owner))
        {
            owner.StopRequested(reason);
            return true;
        }
        var database = await DatabaseAsync();
        return await Guard(() => database.PublishAsync(Keys.Stops, $"{runId} {reason}")) > 0;
    }

    public async ValueTask<bool> HasReadersElsewhereAsync(string runId, CancellationToken cancellationToken)
    {
        var database = await DatabaseAsync();
        var key = Keys.Readers(runId);
        await Guard(() => database.SortedSetRemoveRangeByScoreAsync(key, double.NegativeInfinity, Time.GetUtcNow().ToUnixTimeMilliseconds()));
        return await Guard(() => database.SortedSetLengthAsync(key)) > 0;
    }

    internal async Task<IDatabase> DatabaseAsync()
    {
        var multiplexer = await _connection.GetAsync();
        if (!multiplexer.IsConnected) throw Unavailable(null);
        return multiplexer.GetDatabase();
    }

    internal void Forget(RedisRunReader reader) => _readers.TryRemove(reader, out _);

    /// <summary>Runs a Redis call; its failure is the store being unavailable.</summary>
    internal async Task<T> Guard<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException or ObjectDisposedException)
        {
            throw Unavailable(exception);
        }
    }

    internal Task Guard(Func<Task> call) => Guard(async () =>
    {
        await call();
        return true;
    });

    internal RunStoreUnavailableException Unavailable(Exception? inner) =>
        new($"The run store (Redis at {_connection.Endpoint}) is out of reach.", inner);

    /// <summary>The run's record as Redis has it, after failing the run when its owner's lease has expired.</summary>
    internal async Task<StoredRun?> ReadAsync(string runId)
    {
        var database = await DatabaseAsync();
        var stored = StoredRun.From(await Guard(() => database.HashGetAllAsync(Keys.Run(runId))));
        if (stored is not { Record.IsRunning: true } || stored.Owner == InstanceId) return stored;
        if (await Guard(() => database.KeyExistsAsync(Keys.Instance(stored.Owner)))) return stored;
        await FailRunAsync(database, stored, RunErrors.InstanceLost, "The instance that ran it is gone",
            $"The instance that ran it stopped answering; the run was stopped.", ownerMustBeGone: true);
        return StoredRun.From(await Guard(() => database.HashGetAllAsync(Keys.Run(runId))));
    }

    /// <summary>
    /// Ends a run in Redis with <c>error</c> and <c>done</c> {failed} after its last event, if it is still running (and,
    /// with <paramref name="ownerMustBeGone"/>, only if its owner's lease has expired): atomically, so that whoever
    /// notices first does it once. Returns whether it did.
    /// </summary>
    internal async Task<bool> FailRunAsync(IDatabase database, StoredRun run, string type, string title, string detail, bool ownerMustBeGone)
    {
        var error = new RunError(type, title, StatusCodes.Status502BadGateway, detail);
        var done = new RunDone(RunStatus.Failed, type, run.Chunks, run.Chars, (long)(Time.GetUtcNow() - run.Record.StartedAt).TotalMilliseconds, null);
        var failed = (bool)await Guard(() => database.ScriptEvaluateAsync(RedisScripts.FailRun,
            [Keys.Run(run.Record.RunId), Keys.Events(run.Record.RunId), Keys.Snapshot(run.Record.RunId), Keys.Text(run.Record.RunId), Keys.Reasoning(run.Record.RunId)],
            [
                ownerMustBeGone ? Keys.InstancePrefix : "", Codec.Encode(error), Codec.Encode(done), type,
                Time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture), (long)RunOptions.RetentionSeconds,
                (string)Keys.Appended(run.Record.RunId)!, AgentEventTypes.Error, AgentEventTypes.Done,
            ]));
        if (failed && ownerMustBeGone) RedisLog.InstanceLost(_logger, run.Record.RunId, run.Owner);
        return failed;
    }

    /// <summary>
    /// A run of this instance failed because Redis went away: once Redis is back, its record there is ended too
    /// (<c>store-unavailable</c>), so that no reader elsewhere waits for it. Tried for two minutes.
    /// </summary>
    internal void EndWhenBack(string runId) => _ = Task.Run(async () =>
    {
        for (var attempt = 0; attempt < 60; attempt++)
        {
            await Task.Delay(TimeSpan.FromSeconds(2), Time);
            try
            {
                var database = await DatabaseAsync();
                if (StoredRun.From(await Guard(() => database.HashGetAllAsync(Keys.Run(runId)))) is { Record.IsRunning: true } stored)
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

    internal static HashEntry[] ToHash(RunRecord record, IEnumerable<HashEntry> more) =>
    [
        new("runId", record.RunId), new("agent", record.Agent), new("endpoint", record.Endpoint), new("model", record.Model),
        new("status", record.Status), new("reason", record.Reason ?? ""),
        new("startedAt", record.StartedAt.ToString("O", CultureInfo.InvariantCulture)),
        new("endedAt", record.EndedAt?.ToString("O", CultureInfo.InvariantCulture) ?? ""),
        new("lastSequence", record.LastSequence), new("threadId", record.ThreadId ?? ""), .. more,
    ];

    private void OnStopRequested(RedisValue message)
    {
        var text = (string?)message ?? "";
        var space = text.IndexOf(' ');
        if (space > 0 && _owners.TryGetValue(text[..space], out var owner)) owner.StopRequested(text[(space + 1)..]);
    }

    private async Task RenewLeaseAsync()
    {
        try
        {
            var database = await DatabaseAsync();
            await database.StringSetAsync(Keys.Instance(InstanceId), DateTimeOffset.UtcNow.ToString("O"), TimeSpan.FromSeconds(Options.LeaseSeconds));
        }
        catch (Exception exception) when (exception is RedisException or RunStoreUnavailableException or TimeoutException or ObjectDisposedException)
        {
            // Redis is away: the connection's own log line says so, and the next tick tries again.
        }
    }

    /// <summary>The connection is lost: every run this instance executes fails, every reader here ends.</summary>
    private void FailEverything()
    {
        var failure = Unavailable(null);
        foreach (var owner in _owners.Values) owner.StoreFailed(failure);
        foreach (var reader in _readers.Keys) reader.StoreLost();
    }
}

/// <summary>A run's record as kept in Redis, with its owner and its figures so far.</summary>
internal sealed record StoredRun(RunRecord Record, string Owner, int Chunks, long Chars)
{
    public static StoredRun? From(HashEntry[] hash)
    {
        if (hash.Length == 0) return null;
        var fields = hash.ToDictionary(e => (string)e.Name!, e => (string?)e.Value ?? "");
        var text = (string name) => fields.GetValueOrDefault(name, "");
        var record = new RunRecord(text("runId"), text("agent"), text("endpoint"), text("model"), text("status"),
            text("reason") is { Length: > 0 } reason ? reason : null,
            DateTimeOffset.Parse(text("startedAt"), CultureInfo.InvariantCulture),
            text("endedAt") is { Length: > 0 } ended ? DateTimeOffset.Parse(ended, CultureInfo.InvariantCulture) : null,
            long.Parse(text("lastSequence") is { Length: > 0 } last ? last : "0", CultureInfo.InvariantCulture))
        {
            ThreadId = text("threadId") is { Length: > 0 } threadId ? threadId : null,
        };
        return new StoredRun(record, text("owner"), int.TryParse(text("chunks"), out var chunks) ? chunks : 0,
            long.TryParse(text("chars"), out var chars) ? chars : 0);
    }
}
