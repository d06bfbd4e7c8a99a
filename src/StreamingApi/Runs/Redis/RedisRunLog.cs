using System.Text.Json;
using StackExchange.Redis;
using StreamingApi.Agents;
using StreamingApi.Runs.Memory;

namespace StreamingApi.Runs.Redis;

/// <summary>
/// A run's events as its owner writes them: at once into the local log (this instance's readers read there), and,
/// batched, into the run's Redis Stream and its snapshot beside it. A background writer sends whatever has piled up
/// since its last round trip in one pipelined batch (the entries, what they add to the snapshot, the trim, the
/// record's figures, a notice to readers), so the run never waits a round trip per event, and a busy run costs far
/// less than one round trip per event. The run waits only when Redis falls <c>Runs:MaxBacklogEvents</c> behind.
/// </summary>
internal sealed class RedisRunLog : IRunLog
{
    /// <summary>
    /// The most events one round trip carries: as many as may pile up (<see cref="RunOptions.MaxBacklogEvents"/>, by
    /// default), so that a run that outpaces Redis sends all it waits for at once instead of in several round trips.
    /// </summary>
    private const int MaxBatch = 4096;

    private readonly RedisRunContext _context;
    private readonly RedisRunRecords _records;
    private readonly MemoryRunLog _local;
    private readonly IDatabase _database;
    private readonly Action _finished;
    private readonly RedisKey _runKey;
    private readonly RedisKey _eventsKey;
    private readonly RedisSnapshotWriter _snapshot;
    private readonly Lock _gate = new();
    private readonly Queue<Pending> _pending = new();
    private readonly ReaderSignal _wake = new();
    private readonly Task _writer;
    private TaskCompletionSource? _drained;
    private long _sequence;
    private int _chunks;
    private long _chars;
    private bool _completing;
    private bool _streamExpires;
    private Exception? _failure;

    /// <param name="from">Where a run taken up after it waited was: the stream goes on after its sequence, the figures from its own.</param>
    public RedisRunLog(RedisRunContext context, RedisRunRecords records, MemoryRunLog local, RunRecord record, IDatabase database,
        RedisSnapshotWriter snapshot, Action finished, StoredRun? from = null)
    {
        if (from is not null)
        {
            (_sequence, _chunks, _chars) = (from.Record.LastSequence, from.Chunks, from.Chars);
            _streamExpires = true;
        }
        _snapshot = snapshot;
        _context = context;
        _records = records;
        _local = local;
        _database = database;
        _finished = finished;
        _runKey = context.Keys.Run(record.RunId);
        _eventsKey = context.Keys.Events(record.RunId);
        RunId = record.RunId;
        _writer = Task.Run(WriteAsync);
    }

    public string RunId { get; }

    public ValueTask AppendAsync(AgentEvent @event, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _failure) is { } failure) throw _context.Guard.Unavailable(failure);
        // The local log makes the event's JSON, once: its readers' frames and the stream's entry are those bytes.
        var local = _local.AppendAsync(@event, out var json, cancellationToken);
        var full = Enqueue(@event, json);
        _wake.Release();
        return full ? WaitForRedisAsync(local, cancellationToken) : local;
    }

    public async ValueTask CompleteAsync(IReadOnlyList<AgentEvent> lastEvents, RunRecord end)
    {
        foreach (var last in _local.Complete(lastEvents, end)) Enqueue(last.ToEvent(), last.Json, isLast: true); // this instance's readers have the end now
        lock (_gate) _completing = true;
        _wake.Release();
        try
        {
            // Up to Runs:MaxBacklogEvents events may still be on their way: on a loaded machine that can take seconds. Past
            // a minute Redis is as good as gone (its connection's loss fails the run meanwhile), and the end is not stored.
            await _writer.WaitAsync(TimeSpan.FromSeconds(60));
            if (Volatile.Read(ref _failure) is { } failure)
            {
                _records.EndWhenBack(RunId);
                throw _context.Guard.Unavailable(failure);
            }
            var retention = TimeSpan.FromSeconds(_context.RunOptions.RetentionSeconds);
            var batch = _database.CreateBatch();
            var done = Task.WhenAll(
                batch.HashSetAsync(_runKey, RedisRunRecords.ToHash(end with { LastSequence = _sequence }, [])),
                batch.KeyExpireAsync(_runKey, retention),
                batch.KeyExpireAsync(_eventsKey, retention),
                batch.KeyExpireAsync(_context.Keys.Snapshot(RunId), retention),
                batch.KeyExpireAsync(_context.Keys.Text(RunId), retention),
                batch.KeyExpireAsync(_context.Keys.Reasoning(RunId), retention),
                batch.PublishAsync(_context.Keys.Appended(RunId), _sequence));
            batch.Execute();
            await _context.Guard.RunAsync(() => done);
        }
        catch (RunStoreUnavailableException) when (Volatile.Read(ref _failure) is null)
        {
            _records.EndWhenBack(RunId);
            throw;
        }
        finally
        {
            _finished();
        }
    }

    /// <summary>
    /// The run waits for approvals: everything written so far reaches Redis, then in one batch the record says
    /// <c>waiting</c>, the checkpoint and its approvals are stored, the run joins the waiting set by its deadline, and its
    /// keys live long enough for the wait. The local log is handed off: whichever instance claims the run writes it.
    /// </summary>
    public async Task SuspendAsync(RunCheckpoint checkpoint)
    {
        lock (_gate) _completing = true;
        _wake.Release();
        try
        {
            await _writer.WaitAsync(TimeSpan.FromSeconds(60));
            if (Volatile.Read(ref _failure) is { } failure) throw _context.Guard.Unavailable(failure);
            var waiting = checkpoint with { Record = checkpoint.Record with { LastSequence = _sequence } };
            var settings = _context.RunOptions;
            var lifetime = TimeSpan.FromSeconds(Math.Max(0, (waiting.Deadline - _context.Time.GetUtcNow()).TotalSeconds)
                + settings.MaxRunSeconds + settings.RetentionSeconds + 60);
            var keys = _context.Keys;
            var approvals = keys.Approvals(RunId);
            var batch = _database.CreateBatch();
            List<Task> sent =
            [
                batch.HashSetAsync(_runKey, RedisRunRecords.ToHash(waiting.Record, [new("chunks", _chunks), new("chars", _chars)])),
                batch.StringSetAsync(keys.Checkpoint(RunId), JsonSerializer.Serialize(waiting, JsonSerializerOptions.Web)),
                batch.HashSetAsync(approvals, [.. waiting.Approvals.Select(a => new HashEntry($"a:{a.ApprovalId}", a.ExpiresAt.ToUnixTimeMilliseconds()))]),
                batch.SortedSetAddAsync(keys.Waiting, RunId, waiting.Deadline.ToUnixTimeMilliseconds()),
            ];
            foreach (var key in (RedisKey[])[_runKey, _eventsKey, keys.Snapshot(RunId), keys.Text(RunId), keys.Reasoning(RunId), keys.Checkpoint(RunId), approvals])
                sent.Add(batch.KeyExpireAsync(key, lifetime));
            sent.Add(batch.PublishAsync(keys.Appended(RunId), _sequence));
            batch.Execute();
            await _context.Guard.RunAsync(() => Task.WhenAll(sent));
        }
        finally
        {
            _local.HandOff();
            _finished();
        }
    }

    private bool Enqueue(AgentEvent @event, ReadOnlyMemory<byte> data, bool isLast = false)
    {
        lock (_gate)
        {
            _pending.Enqueue(new Pending(++_sequence, @event, data, isLast));
            if (@event is TextDelta text)
            {
                _chunks++;
                _chars += text.Delta.Length;
            }
            return _pending.Count > _context.RunOptions.MaxBacklogEvents;
        }
    }

    private async ValueTask WaitForRedisAsync(ValueTask local, CancellationToken cancellationToken)
    {
        await local;
        while (true)
        {
            Task drained;
            lock (_gate)
            {
                if (_pending.Count <= _context.RunOptions.MaxBacklogEvents / 2) return;
                _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                drained = _drained.Task;
            }
            await drained.WaitAsync(cancellationToken);
            if (Volatile.Read(ref _failure) is { } failure) throw _context.Guard.Unavailable(failure);
        }
    }

    /// <summary>The background writer: one pipelined batch per round trip, with everything that piled up meanwhile.</summary>
    private async Task WriteAsync()
    {
        var batch = new List<Pending>(); // grows only as large as the batches a run has
        while (true)
        {
            await _wake.WaitAsync();
            while (true)
            {
                int chunks;
                long chars;
                bool completing;
                lock (_gate)
                {
                    while (batch.Count < MaxBatch && _pending.TryDequeue(out var next)) batch.Add(next);
                    (chunks, chars, completing) = (_chunks, _chars, _completing && _pending.Count == 0);
                }
                if (batch.Count > 0)
                {
                    try
                    {
                        await SendAsync(batch, chunks, chars);
                        _context.Metrics.StoreBatchWritten(batch.Count);
                    }
                    catch (Exception exception)
                    {
                        Volatile.Write(ref _failure, exception);
                        TaskCompletionSource? waiting;
                        lock (_gate) (waiting, _drained) = (_drained, null);
                        waiting?.TrySetResult();
                        return;
                    }
                    batch.Clear();
                    TaskCompletionSource? drained = null;
                    lock (_gate)
                    {
                        if (_pending.Count <= _context.RunOptions.MaxBacklogEvents / 2) (drained, _drained) = (_drained, null);
                    }
                    drained?.TrySetResult();
                    continue;
                }
                if (completing) return;
                break;
            }
        }
    }

    /// <summary>
    /// One pipelined batch: the events packed in entries of up to <see cref="RedisKeys.EventsPerEntry"/> (one value
    /// each, <see cref="RedisEntries"/>), what they add to the
    /// snapshot, the stream trimmed to about its latest <see cref="RedisOptions.MaxStreamLength"/> events (never past
    /// the snapshot: the stream holds every event after it, and the run's last events), the record's figures, a notice
    /// to readers. Redis runs them in this order.
    /// </summary>
    private Task SendAsync(List<Pending> events, int chunks, long chars)
    {
        var batch = _database.CreateBatch();
        var sent = new List<Task>(events.Count / RedisKeys.EventsPerEntry + 5);
        for (var start = 0; start < events.Count; start += RedisKeys.EventsPerEntry)
        {
            var count = Math.Min(RedisKeys.EventsPerEntry, events.Count - start);
            var size = 0;
            for (var i = start; i < start + count; i++) size += RedisEntries.SizeOf(events[i].Event.EventType, events[i].Data.Length);
            var packed = new byte[size];
            var offset = 0;
            for (var i = start; i < start + count; i++)
            {
                var pending = events[i];
                offset = RedisEntries.Write(packed, offset, pending.Event.EventType, pending.Data.Span);
                if (!pending.IsLast) _snapshot.Apply(pending.Sequence, pending.Event, pending.Data);
            }
            sent.Add(batch.StreamAddAsync(_eventsKey, RedisEntries.Packed(count, packed), RedisKeys.EntryId(events[start + count - 1].Sequence)));
        }
        if (_snapshot.WriteTo(batch) is { } snapshot) sent.Add(snapshot);
        var last = events[^1].Sequence;
        var keepFrom = Math.Min(last - Math.Max(1, _context.Options.MaxStreamLength) + 1, _snapshot.Sequence + 1);
        if (keepFrom > 1) sent.Add(batch.StreamTrimByMinIdAsync(_eventsKey, RedisKeys.EntryId(keepFrom), useApproximateMaxLength: true));
        sent.Add(batch.HashSetAsync(_runKey, [new("lastSequence", last), new("chunks", chunks), new("chars", chars)]));
        sent.Add(batch.PublishAsync(_context.Keys.Appended(RunId), last));
        if (!_streamExpires)
        {
            sent.Add(batch.KeyExpireAsync(_eventsKey, TimeSpan.FromSeconds(_context.RunOptions.MaxRunSeconds + _context.RunOptions.RetentionSeconds + 60)));
            _streamExpires = true;
        }
        batch.Execute();
        return Task.WhenAll(sent);
    }

    /// <param name="IsLast">One of the run's last events (given to <see cref="CompleteAsync"/>): kept out of the snapshot.</param>
    /// <param name="Data">The event's JSON, as the local log made and keeps it (never written again, so safe to send later).</param>
    private readonly record struct Pending(long Sequence, AgentEvent Event, ReadOnlyMemory<byte> Data, bool IsLast);
}
