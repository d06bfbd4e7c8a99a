using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
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
    private readonly ConcurrentDictionary<string, IRunOwner> _owners = new();
    private readonly ConcurrentDictionary<RedisRunReader, byte> _readers = new();
    private readonly RedisConnection _connection;
    private readonly MemoryRunStore _local;
    private readonly RedisRunContext _context;
    private readonly RedisLease _lease;
    private readonly RedisRunRecords _records;
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
        _records = new RedisRunRecords(_context, _lease, logger);
        connection.Lost += FailEverything;
        connection.Restored += () => _ = ConnectedAsync();
    }

    /// <summary>This instance's name in Redis (the owner of the runs it executes).</summary>
    public string InstanceId { get; }

    private RedisKeys Keys => _context.Keys;

    private RedisGuard Guard => _context.Guard;

    /// <summary>Connects (without waiting for Redis when it is away), listens for stops, and keeps this instance's lease.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _connection.GetAsync();
        await ConnectedAsync();
        _lease.Start();
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
        await _lease.RenewAsync();
    }

    public Task StopAsync(CancellationToken cancellationToken) => _lease.EndAsync();

    public async ValueTask<IRunLog> CreateAsync(RunRecord record, IRunOwner owner, CancellationToken cancellationToken)
    {
        var database = await Guard.DatabaseAsync();
        var settings = _context.RunOptions;
        var lifetime = TimeSpan.FromSeconds(settings.MaxRunSeconds + settings.RetentionSeconds + 60); // a record never outlives its run for long
        await _records.CreateAsync(database, record, lifetime);
        _owners[record.RunId] = owner;
        // The returning reader may come back on another instance, through Redis: the stream holds its place there.
        var local = _local.Create(record, owner, holdsPlace: false);
        return new RedisRunLog(_context, _records, local, record, database, _context.Snapshots.Writer(record.RunId, lifetime),
            () => _owners.TryRemove(record.RunId, out _));
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
        if (_local.Find(runId) is { } local) return local.Open(afterSequence, readerGone);
        if (await _records.ReadAsync(runId) is not { } stored) return RunOpening.Unknown;
        var database = await Guard.DatabaseAsync();
        var next = Math.Max(1, afterSequence + 1);
        if (!stored.Record.IsRunning && next > stored.Record.LastSequence) return RunOpening.Ended;
        // A position the stream no longer holds is the reader's to notice: it gives the snapshot first, as it does
        // when it falls behind the stream later.
        var reader = new RedisRunReader(_context, _records, database, runId, next - 1, readerGone, gone => _readers.TryRemove(gone, out _));
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

    public ValueTask SuspendAsync(IRunLog log, RunCheckpoint checkpoint) => throw new NotSupportedException();

    public ValueTask<ApprovalDecisionResult> DecideAsync(string runId, string approvalId, bool approved, string? reason, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public ValueTask<ClaimedCheckpoint?> ClaimAsync(string runId, string? stopping, CancellationToken cancellationToken) => throw new NotSupportedException();

    public ValueTask<IRunLog> ReopenAsync(RunCheckpoint checkpoint, RunRecord running, IRunOwner owner) => throw new NotSupportedException();

    public ValueTask<IReadOnlyList<string>> DueAsync(CancellationToken cancellationToken) => ValueTask.FromResult<IReadOnlyList<string>>([]);

    private void OnStopRequested(RedisValue message)
    {
        var text = (string?)message ?? "";
        var space = text.IndexOf(' ');
        if (space > 0 && _owners.TryGetValue(text[..space], out var owner)) owner.StopRequested(text[(space + 1)..]);
    }

    /// <summary>The connection is lost: every run this instance executes fails, every reader here ends.</summary>
    private void FailEverything()
    {
        var failure = Guard.Unavailable(null);
        foreach (var owner in _owners.Values) owner.StoreFailed(failure);
        foreach (var reader in _readers.Keys) reader.StoreLost();
    }
}
