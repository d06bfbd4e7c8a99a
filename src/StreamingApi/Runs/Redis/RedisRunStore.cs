using System.Collections.Concurrent;
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
/// beside it (<see cref="RedisRunRecords"/>). A stop asked on any instance reaches the owner over pub/sub. Each instance
/// holds a lease while it lives (<see cref="RedisLease"/>): a run whose owner's lease has expired is failed
/// (<c>instance-lost</c>) by whoever notices first, so readers elsewhere never hang.
/// </summary>
public sealed class RedisRunStore : IRunStore, IHostedService
{
    private readonly ConcurrentDictionary<string, RedisRunLog> _owned = new(); // the runs this instance executes
    private readonly ConcurrentDictionary<RedisRunReader, byte> _readers = new();
    private readonly RedisConnection _connection;
    private readonly MemoryRunStore _local;
    private readonly RedisRunContext _context;
    private readonly RedisLease _lease;
    private readonly RedisRunRecords _records;
    private readonly RedisWriter _writer;
    private int _subscribed;

    public RedisRunStore(RedisConnection connection, MemoryRunStore local, RunEventCodec codec, IOptions<RunOptions> runOptions,
        IOptions<RedisOptions> options, StreamingMetrics metrics, TimeProvider time, ILogger<RedisRunStore> logger)
    {
        _connection = connection;
        _local = local;
        InstanceId = $"{Environment.MachineName}-{Environment.ProcessId}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3))}";
        _context = new RedisRunContext(InstanceId, new RedisKeys(options.Value.KeyPrefix), options.Value, runOptions, codec, metrics, time,
            new RedisGuard(connection));
        _lease = new RedisLease(_context);
        _records = new RedisRunRecords(_context, logger);
        _writer = new RedisWriter(_context.Guard, time, TimeSpan.FromMilliseconds(options.Value.WriteDelayMs));
        connection.Lost += FailEverything;
        connection.Restored += () => _ = ConnectedAsync();
    }

    /// <summary>This instance's name in Redis (the owner of the runs it executes).</summary>
    public string InstanceId { get; }

    private RedisKeys Keys => _context.Keys;

    private RedisGuard Guard => _context.Guard;

    /// <summary>Connects both connections (without waiting for Redis when it is away), listens for stops, and keeps this instance's lease.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(_connection.GetAsync(), _connection.GetWriterAsync());
        await ConnectedAsync();
        _lease.Start();
    }

    /// <summary>
    /// On start, and whenever Redis comes back: the stop and follow channels (once; the client renews them after), the
    /// lease.
    /// </summary>
    private async Task ConnectedAsync()
    {
        try
        {
            if (Interlocked.CompareExchange(ref _subscribed, 1, 0) == 0)
            {
                var multiplexer = await _connection.GetAsync();
                var subscriber = multiplexer.GetSubscriber();
                await Task.WhenAll(subscriber.SubscribeAsync(Keys.Stops, (_, message) => OnStopRequested(message)),
                    subscriber.SubscribeAsync(Keys.Followed, (_, message) => OnFollowed(message)));
            }
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            Volatile.Write(ref _subscribed, 0); // Redis is away: the connection's log line says so, and its return tries again
        }
        await _lease.RenewAsync();
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _records.Stop();
        return _lease.EndAsync();
    }

    public async ValueTask<IRunLog> CreateAsync(RunRecord record, IRunOwner owner, CancellationToken cancellationToken)
    {
        var database = await Guard.DatabaseAsync();
        var settings = _context.RunOptions;
        var lifetime = TimeSpan.FromSeconds(settings.MaxRunSeconds + settings.RetentionSeconds + 60); // a record never outlives its run for long
        await _records.CreateAsync(database, record, lifetime);
        // The returning reader may come back on another instance, through Redis: the stream holds its place there.
        var local = _local.Create(record, owner, holdsPlace: false);
        return Owned(new RedisRunLog(_context, _records, local, record, database, _writer, _context.Snapshots.Writer(lifetime), owner, Disowned));
    }

    public async ValueTask<RunRecord?> FindAsync(string runId, CancellationToken cancellationToken)
    {
        if (_local.Find(runId) is { } local) return local.Record;
        return (await _records.ReadAsync(runId))?.Record;
    }

    /// <summary>The thread's key names its latest run; the run's own record says whether it is still known.</summary>
    public async ValueTask<RunRecord?> FindLatestAsync(string threadId, CancellationToken cancellationToken)
    {
        var database = await Guard.DatabaseAsync();
        var runId = (string?)await Guard.RunAsync(() => database.StringGetAsync(Keys.Thread(threadId)));
        return runId is null ? null : await FindAsync(runId, cancellationToken);
    }

    /// <summary>A run of another instance: its stored snapshot with the stream's events after it (its end among them, once it has ended).</summary>
    public async ValueTask<RunSnapshot?> OutputAsync(string runId, CancellationToken cancellationToken)
    {
        if (_local.Find(runId) is { } local) return local.Output;
        var database = await Guard.DatabaseAsync();
        var snapshots = _context.Snapshots;
        if (await Guard.RunAsync(() => snapshots.ReadAsync(database, runId, maxEntries: 0)) is not { } stored) return null;
        var output = new RunSnapshotBuilder(stored.Snapshot);
        var events = new Queue<RunEvent>();
        foreach (var entry in stored.After) snapshots.AddEventsOf(entry, output.Sequence, events);
        foreach (var @event in events) output.Apply(@event);
        return output.Build();
    }

    public async ValueTask<RunOpening> OpenAsync(string runId, long afterSequence, CancellationToken readerGone)
    {
        // A run taken up here after it waited holds only what came after: earlier positions are read from the stream.
        if (_local.Find(runId) is { IsHandedOff: false } local && afterSequence + 1 >= local.StartSequence)
        {
            var opened = local.Open(afterSequence, readerGone);
            if (opened.Reader is not { } localReader) return opened;
            // Should the run stop to wait, its local log is handed off: the reader then goes on from the stream.
            return new RunOpening(RunOpeningStatus.Opened, new RedisHandOffReader(localReader, local, afterSequence,
                async after => (await OpenAsync(runId, after, readerGone)).Reader ?? EmptyReader(runId)));
        }
        if (await _records.ReadAsync(runId) is not { } stored) return RunOpening.Unknown;
        var database = await Guard.DatabaseAsync();
        var next = Math.Max(1, afterSequence + 1);
        if (!stored.Record.IsLive && next > stored.Record.LastSequence)
        {
            // A client past the stored end of a failed run saw events its owner never wrote (it died before their
            // turn): it is given the end another instance wrote, error and done (RedisRunReader.PastTheStoredEnd).
            // One exactly at the end is taken to have read that done, as a client that reconnects after it has.
            if (next - 1 == stored.Record.LastSequence || !RedisRunReader.PastTheStoredEnd(stored.Record, next - 1)) return RunOpening.Ended;
            next = stored.Record.LastSequence - 1;
        }
        // A position the stream no longer holds is the reader's to notice: it gives the snapshot first, as it does
        // when it falls behind the stream later.
        var reader = new RedisRunReader(_context, _records, database, runId, next - 1, readerGone, gone => _readers.TryRemove(gone, out _));
        _readers[reader] = 0;
        await reader.StartAsync();
        return new RunOpening(RunOpeningStatus.Opened, reader);
    }

    public async ValueTask<bool> RequestStopAsync(string runId, string reason, CancellationToken cancellationToken)
    {
        if (_owned.TryGetValue(runId, out var owned))
        {
            owned.Owner.StopRequested(reason);
            return true;
        }
        var database = await Guard.DatabaseAsync();
        return await Guard.RunAsync(() => database.PublishAsync(Keys.Stops, $"{runId} {reason}")) > 0;
    }

    public async ValueTask<bool> HasReadersElsewhereAsync(string runId, CancellationToken cancellationToken)
    {
        var database = await Guard.DatabaseAsync();
        var key = Keys.Readers(runId);
        await Guard.RunAsync(() => database.SortedSetRemoveRangeByScoreAsync(key, double.NegativeInfinity, _context.Time.GetUtcNow().ToUnixTimeMilliseconds()));
        return await Guard.RunAsync(() => database.SortedSetLengthAsync(key)) > 0;
    }

    public async ValueTask SuspendAsync(IRunLog log, RunCheckpoint checkpoint)
    {
        try
        {
            await ((RedisRunLog)log).SuspendAsync(checkpoint);
        }
        finally
        {
            _local.Forget(checkpoint.Record.RunId); // its readers here go on from the stream
        }
    }

    public async ValueTask<ApprovalDecisionResult> DecideAsync(string runId, ApprovalDecision decision, CancellationToken cancellationToken)
    {
        var database = await Guard.DatabaseAsync();
        var approvalId = decision.ApprovalId;
        var reply = (RedisResult[])(await Guard.RunAsync(() => database.ScriptEvaluateAsync(RedisScripts.Decide, [Keys.Approvals(runId), Keys.Waiting],
            [approvalId, decision.Approved ? "1" : "0", decision.Reason is null ? "" : "r" + decision.Reason, _context.Time.GetUtcNow().ToUnixTimeMilliseconds(),
                runId, decision.Output is null ? "" : "o" + decision.Output])))!;
        switch ((string?)reply[0])
        {
            case "recorded":
                return new(ApprovalOutcome.Recorded, decision);
            case "expired":
                return new(ApprovalOutcome.Expired, new ApprovalDecision(approvalId, false, ApprovalReasons.TimedOut));
            case "decided":
                var standing = new ApprovalDecision(approvalId, (string?)reply[1] == "1", reply[2].IsNull ? null : (string?)reply[2])
                {
                    Output = reply[3].IsNull ? null : (string?)reply[3],
                };
                return ApprovalDecisionResult.Against(standing, decision);
            default:
                return new(ApprovalOutcome.Unknown, null);
        }
    }

    /// <summary>The approvals hash's decisions (<c>d:</c>, with their <c>r:</c> reasons and <c>o:</c> outputs), in one HGETALL.</summary>
    public async ValueTask<IReadOnlyList<ApprovalDecision>> DecisionsAsync(string runId, CancellationToken cancellationToken)
    {
        var database = await Guard.DatabaseAsync();
        var entries = await Guard.RunAsync(() => database.HashGetAllAsync(Keys.Approvals(runId)));
        var hash = entries.ToDictionary(e => (string)e.Name!, e => (string)e.Value!, StringComparer.Ordinal);
        return [.. hash.Keys.Where(f => f.StartsWith("d:", StringComparison.Ordinal)).Select(f => DecisionIn(hash, f[2..]))];
    }

    /// <summary>The decision on one approval as the approvals hash holds it (<c>d:</c>, <c>r:</c>, <c>o:</c>); denied when it holds none.</summary>
    private static ApprovalDecision DecisionIn(Dictionary<string, string> hash, string approvalId) =>
        new(approvalId, hash.GetValueOrDefault($"d:{approvalId}") == "1", hash.GetValueOrDefault($"r:{approvalId}"))
        {
            Output = hash.GetValueOrDefault($"o:{approvalId}"),
        };

    public async ValueTask<ClaimedCheckpoint?> ClaimAsync(string runId, string? stopping, CancellationToken cancellationToken)
    {
        var database = await Guard.DatabaseAsync();
        var reply = await Guard.RunAsync(() => database.ScriptEvaluateAsync(RedisScripts.Claim,
            [Keys.Checkpoint(runId), Keys.Approvals(runId), Keys.Waiting, Keys.Run(runId)],
            [runId, _context.Time.GetUtcNow().ToUnixTimeMilliseconds(), stopping ?? "", InstanceId]));
        if (reply.IsNull) return null;
        var parts = (RedisResult[])reply!;
        var checkpoint = System.Text.Json.JsonSerializer.Deserialize<RunCheckpoint>((string)parts[0]!, System.Text.Json.JsonSerializerOptions.Web)!;
        var fields = ((RedisResult[])parts[1]!).Select(f => (string)f!).ToArray();
        var hash = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < fields.Length; i += 2) hash[fields[i]] = fields[i + 1];
        return new ClaimedCheckpoint(checkpoint, [.. checkpoint.Approvals.Select(a => DecisionIn(hash, a.ApprovalId))]);
    }

    /// <summary>
    /// A claimed run goes on here, whichever instance wrote it before: a local log after the stored snapshot (its readers
    /// here read from there; earlier positions are read from the stream), and the stream goes on after its last entry.
    /// </summary>
    public async ValueTask<IRunLog> ReopenAsync(RunCheckpoint checkpoint, RunRecord running, IRunOwner owner)
    {
        var runId = running.RunId;
        var database = await Guard.DatabaseAsync();
        var stored = await _records.ReadAsync(runId) ?? throw Guard.Unavailable(null);
        var snapshot = await Guard.RunAsync(() => _context.Snapshots.ReadAsync(database, runId, maxEntries: 0))
                       ?? throw new InvalidOperationException($"Run {runId} has no snapshot to go on from.");
        var from = new RunSnapshotBuilder(snapshot.Snapshot);
        var events = new Queue<RunEvent>();
        foreach (var entry in snapshot.After) _context.Snapshots.AddEventsOf(entry, from.Sequence, events);
        foreach (var @event in events) from.Apply(@event);
        var settings = _context.RunOptions;
        var lifetime = TimeSpan.FromSeconds(settings.MaxRunSeconds + settings.RetentionSeconds + 60);
        var writer = _context.Snapshots.Writer(lifetime);
        writer.Seed(snapshot.Snapshot);
        var local = _local.Create(running, owner, holdsPlace: false, from.Build());
        return Owned(new RedisRunLog(_context, _records, local, running, database, _writer, writer, owner, Disowned, stored));
    }

    /// <summary>The log of a run this instance executes from now, found by its id by stops and followers.</summary>
    private RedisRunLog Owned(RedisRunLog log)
    {
        _owned[log.RunId] = log;
        return log;
    }

    /// <summary>The log's run ended or waits: no longer this instance's, unless taken up here again since.</summary>
    private void Disowned(RedisRunLog log) => _owned.TryRemove(KeyValuePair.Create(log.RunId, log));

    public async ValueTask<IReadOnlyList<string>> DueAsync(CancellationToken cancellationToken)
    {
        var database = await Guard.DatabaseAsync();
        var due = await Guard.RunAsync(() => database.SortedSetRangeByScoreAsync(Keys.Waiting, double.NegativeInfinity,
            _context.Time.GetUtcNow().ToUnixTimeMilliseconds()));
        return [.. due.Select(v => (string)v!)];
    }

    /// <summary>Nothing more to read (a run that expired while a reader switched to its stream).</summary>
    private static IRunReader EmptyReader(string runId) => new EndedReader(runId);

    private sealed class EndedReader(string runId) : IRunReader
    {
        public string RunId => runId;

        public bool TryRead(out RunEvent entry)
        {
            entry = default;
            return false;
        }

        public ValueTask<bool> WaitToReadAsync() => ValueTask.FromResult(false);

        public void Interrupt()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private void OnStopRequested(RedisValue message)
    {
        var text = (string?)message ?? "";
        var space = text.IndexOf(' ');
        if (space <= 0 || !_owned.TryGetValue(text[..space], out var owned)) return;
        var reason = text[(space + 1)..];
        // Another instance failed the run, finding this one's lease lapsed: it ends as there, failed, not cancelled.
        if (reason == RunErrors.InstanceLost) owned.Owner.StoreFailed(_records.EndedElsewhere(text[..space], reason));
        else owned.Owner.StopRequested(reason);
    }

    /// <summary>A reader elsewhere came to a run: if this instance runs it, it is written without delay.</summary>
    private void OnFollowed(RedisValue message)
    {
        if (_owned.TryGetValue((string?)message ?? "", out var owned)) owned.Followed();
    }

    /// <summary>The connection is lost: every run this instance executes fails, every reader here ends.</summary>
    private void FailEverything()
    {
        var failure = Guard.Unavailable(null);
        foreach (var owned in _owned.Values) owned.Owner.StoreFailed(failure);
        foreach (var reader in _readers.Keys) reader.StoreLost();
    }
}
