using System.Runtime.CompilerServices;
using StackExchange.Redis;
using StreamingApi.Agents;
using StreamingApi.Runs.Memory;

namespace StreamingApi.Runs.Redis;

/// <summary>
/// A reader, on an instance that does not execute the run, of the run's Redis Stream. It waits for the owner's
/// notice that events were added (StackExchange.Redis has no blocking XREAD, by design: a blocking call would stall
/// its multiplexer), then takes everything new in one XREAD, however many events piled up. When no notice came for
/// <c>Redis:PollSeconds</c> it looks anyway, in case one was lost, and then checks that the run's instance is still
/// alive; a reader of a run that writes does not poll (each notice makes it read everything new, what a lost one
/// announced among it). When
/// the stream no longer holds the events after its place (it opened at a position trimmed away, or fell behind a fast
/// run), it gives the run's snapshot, then goes on after it. For as long as it lives, it keeps its presence in the
/// run's reader set, so the run does not stop for lack of readers. When Redis is out of reach, it ends with
/// <c>error</c> {store-unavailable} and <c>done</c> {failed}.
/// </summary>
internal sealed class RedisRunReader : IRunReader
{
    private const int MaxBatch = 64; // entries per XREAD: up to 64 events each

    private readonly RedisRunContext _context;
    private readonly RedisRunRecords _records;
    private readonly Action<RedisRunReader> _forget;
    private readonly IDatabase _database;
    private readonly RedisKey _eventsKey;
    private readonly RedisChannel _appended;
    private readonly string _readerId;
    private readonly Queue<RunEvent> _buffer = new();
    private readonly ReaderSignal _signal = new();
    private readonly CancellationToken _gone;
    private readonly CancellationTokenRegistration _wakeWhenGone;
    private readonly Action<RedisChannel, RedisValue> _onAppended;
    private readonly Lock _presenceGate = new();
    private ITimer? _poll;
    private ITimer? _presence;
    private Task _renewal = Task.CompletedTask;
    private long _after;
    private long _lastProgress;
    private long _lastNotice;
    private bool _completed;
    private volatile bool _interrupted;
    private volatile bool _storeLost;
    private int _disposed;

    /// <param name="forget">Called once, when the reader is disposed: the store no longer ends it when Redis is lost.</param>
    public RedisRunReader(RedisRunContext context, RedisRunRecords records, IDatabase database, string runId, long after,
        CancellationToken gone, Action<RedisRunReader> forget)
    {
        _context = context;
        _records = records;
        _forget = forget;
        _database = database;
        _eventsKey = context.Keys.Events(runId);
        _appended = context.Keys.Appended(runId);
        _readerId = $"{context.InstanceId}:{Guid.NewGuid():N}";
        _after = after;
        _gone = gone;
        _lastProgress = context.Time.GetTimestamp();
        _lastNotice = _lastProgress;
        RunId = runId;
        _onAppended = (_, _) =>
        {
            Volatile.Write(ref _lastNotice, _context.Time.GetTimestamp());
            _signal.Release();
        };
        _wakeWhenGone = gone.UnsafeRegister(static state => ((ReaderSignal)state!).Release(), _signal);
    }

    public string RunId { get; }

    public async Task StartAsync()
    {
        // Listening, presence and a word to the owner (which then writes the run without delay) in one round trip; the
        // first read comes after them, so no notice falls before it.
        await _context.Guard.RunAsync(() => Task.WhenAll(_database.Multiplexer.GetSubscriber().SubscribeAsync(_appended, _onAppended),
            KeepPresenceAsync(), _database.PublishAsync(_context.Keys.Followed, RunId)));
        // Presence is renewed on a timer of its own, whether events flow or not. Renewed between waits, it lapsed
        // under a reader that always had events to take (it never waited long), and the owner, finding no reader
        // when its detach grace ran out, stopped the run under a client that was still reading.
        var renew = TimeSpan.FromSeconds(Math.Max(0.05, _context.Options.LeaseSeconds / 3));
        lock (_presenceGate)
        {
            if (_disposed == 0) _presence = _context.Time.CreateTimer(static state => ((RedisRunReader)state!).RenewPresence(), this, renew, renew);
        }
        var every = TimeSpan.FromSeconds(Math.Max(0.05, _context.Options.PollSeconds));
        _poll = _context.Time.CreateTimer(static state => ((RedisRunReader)state!).Poll(), this, every, every);
    }

    public bool TryRead(out RunEvent entry) => _buffer.TryDequeue(out entry);

    /// <summary>The poll timer's tick: a look at the stream, unless a notice came since the last tick.</summary>
    private void Poll()
    {
        var every = TimeSpan.FromSeconds(Math.Max(0.05, _context.Options.PollSeconds));
        if (_context.Time.GetElapsedTime(Volatile.Read(ref _lastNotice)) >= every * 0.9) _signal.Release();
    }

    public ValueTask<bool> WaitToReadAsync() =>
        _buffer.Count > 0 ? new ValueTask<bool>(true) : _completed ? new ValueTask<bool>(false) : WaitForEventsAsync();

    public void Interrupt()
    {
        _interrupted = true;
        _signal.Release();
    }

    /// <summary>Redis is out of reach: the reader ends with the error, and done.</summary>
    public void StoreLost()
    {
        _storeLost = true;
        _signal.Release();
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> WaitForEventsAsync()
    {
        while (true)
        {
            _gone.ThrowIfCancellationRequested();
            try
            {
                if (_storeLost) throw _context.Guard.Unavailable(null);
                if (await ReadNewAsync()) return true;
                if (_completed) return false;
                // Silent for longer than a lease: is the run's instance still there? (Failing the run if not adds its end.)
                if (_context.Time.GetElapsedTime(_lastProgress) >= TimeSpan.FromSeconds(_context.Options.LeaseSeconds))
                {
                    _lastProgress = _context.Time.GetTimestamp();
                    var stored = await _records.ReadAsync(RunId);
                    if (await ReadNewAsync()) return true;
                    // Nothing after its place though the run has ended: it is past the stored end, unread.
                    if (stored is not null && !_completed && PastTheStoredEnd(stored.Record, _after))
                    {
                        _after = stored.Record.LastSequence - 2;
                        if (await ReadNewAsync()) return true;
                    }
                }
            }
            catch (RunStoreUnavailableException)
            {
                EndWithStoreUnavailable();
                return true;
            }
            if (_interrupted)
            {
                _interrupted = false;
                return true; // nothing to read, but the owner of this reader has something to write
            }
            await _signal.WaitAsync();
        }
    }

    /// <summary>
    /// Whether a reader at <paramref name="after"/> that has not read the run's <c>done</c> is past the stored end of
    /// a failed run: it read events from the owner that never reached Redis (the owner died before their turn,
    /// <see cref="RedisOptions.WriteDelayMs"/>), and the end another instance wrote, <c>error</c> and <c>done</c>
    /// (<see cref="RedisScripts.FailRun"/>), has sequences it has passed. That end is its end too, as its last two
    /// events, rather than a stream that never ends. (A reader one event past the stored end reads the stored
    /// <c>done</c> as any reader does, without the <c>error</c> before it.)
    /// </summary>
    public static bool PastTheStoredEnd(RunRecord record, long after) =>
        record is { Status: RunStatus.Failed, LastSequence: >= 2 } && after >= record.LastSequence;

    /// <summary>One XREAD of everything after the last event taken; true when it found some.</summary>
    private async Task<bool> ReadNewAsync()
    {
        var entries = await _context.Guard.RunAsync(() => _database.StreamReadAsync(_eventsKey, RedisKeys.EntryId(_after), MaxBatch));
        if (entries.Length == 0) return false;
        if (RedisKeys.FirstSequenceOf(entries[0]) > _after + 1)
        {
            // The stream no longer holds the events after this reader's place (a fast run's writer trims it as it
            // goes, whoever still reads): the snapshot stands for them. Read in one script with the entries after
            // it, it leaves no gap, and its sequence is past this reader's place (the stream is never trimmed past
            // the snapshot).
            if (await _context.Guard.RunAsync(() => _context.Snapshots.ReadAsync(_database, RunId, MaxBatch)) is not { } stored)
            {
                _completed = true; // the run has expired meanwhile
                return false;
            }
            if (stored.Snapshot.Sequence > _after)
            {
                _buffer.Enqueue(new RunEvent(stored.Snapshot.Sequence, stored.Snapshot));
                _after = stored.Snapshot.Sequence;
            }
            entries = stored.After;
        }
        foreach (var entry in entries)
        {
            if (RedisKeys.FirstSequenceOf(entry) > _after + 1)
            {
                _completed = true; // a hole in the stream, which its writers never leave: end rather than skip events
                break;
            }
            // Taken as their JSON: a reader of our own protocol writes the bytes as read, and decodes nothing.
            if (_context.Snapshots.AddEventsOf(entry, _after, _buffer) is not { } lastType) continue;
            _after = RedisKeys.SequenceOf(entry.Id);
            if (lastType == AgentEventTypes.Done) _completed = true; // always the run's last event
        }
        _lastProgress = _context.Time.GetTimestamp();
        return _buffer.Count > 0;
    }

    /// <summary>The presence timer's tick: one renewal at a time, none once the reader is gone or going.</summary>
    private void RenewPresence()
    {
        lock (_presenceGate)
        {
            if (_disposed != 0 || _gone.IsCancellationRequested || !_renewal.IsCompleted) return;
            _renewal = RenewPresenceAsync();
        }
    }

    private async Task RenewPresenceAsync()
    {
        try
        {
            await KeepPresenceAsync();
        }
        catch (RunStoreUnavailableException)
        {
            // Redis is away: this reader ends through StoreLost, or the next tick renews.
        }
    }

    /// <summary>
    /// Its presence, until a lease from now; the set lives as long as its latest presence, so that the readers of a
    /// run whose instances died do not stay in Redis.
    /// </summary>
    private Task KeepPresenceAsync()
    {
        var key = _context.Keys.Readers(RunId);
        var lease = TimeSpan.FromSeconds(_context.Options.LeaseSeconds);
        var expires = _context.Time.GetUtcNow().Add(lease).ToUnixTimeMilliseconds();
        return _context.Guard.RunAsync(() => Task.WhenAll(_database.SortedSetAddAsync(key, _readerId, expires), _database.KeyExpireAsync(key, lease)));
    }

    private void EndWithStoreUnavailable()
    {
        var error = RunErrors.From(_context.Guard.Unavailable(null), RunId);
        _buffer.Enqueue(new RunEvent(_after + 1, error));
        _buffer.Enqueue(new RunEvent(_after + 2, new RunDone(RunStatus.Failed, error.Type, 0, 0, 0, null)));
        _completed = true;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _forget(this);
        _poll?.Dispose();
        _wakeWhenGone.Dispose();
        Task renewal;
        lock (_presenceGate)
        {
            _presence?.Dispose(); // no renewal starts after this
            renewal = _renewal;
        }
        try
        {
            await renewal; // one on its way lands before the removal, not after it
            await _database.Multiplexer.GetSubscriber().UnsubscribeAsync(_appended, _onAppended);
            // It stops counting now, not when its presence would have lapsed: the owner's detach grace sees it gone.
            await _database.SortedSetRemoveAsync(_context.Keys.Readers(RunId), _readerId);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException or ObjectDisposedException)
        {
            // Redis is away; the presence expires by itself.
        }
    }
}
