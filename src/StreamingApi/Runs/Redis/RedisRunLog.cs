using System.Runtime.InteropServices;
using System.Text.Json;
using StackExchange.Redis;
using StreamingApi.Agents;
using StreamingApi.Runs.Memory;

namespace StreamingApi.Runs.Redis;

/// <summary>
/// A run's events as its owner writes them: at once into the local log (this instance's readers read there), and,
/// batched, into the run's Redis Stream and its snapshot beside it. The instance's writer (<see cref="RedisWriter"/>)
/// sends whatever has piled up since the run's last turn in one command (the entries, the trim and, before a trim would
/// pass it or with the run's end, the snapshot, the record's figures, a notice to readers), in a round trip shared with
/// every other run that has events to store, so the run never waits a round trip per event. The run waits only when
/// Redis falls <c>Runs:MaxBacklogEvents</c> behind. While no reader on another instance follows the run, its events
/// wait <c>Redis:WriteDelayMs</c> for their turn (a run paced by its model then writes several at once); it is written
/// without delay from the moment one does (the reader says so as it comes, <see cref="Followed"/>, and the writes'
/// answers confirm it), and with its end, its hand-off, or a full entry's worth of events pending.
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
    private readonly RedisWriter _writer;
    private readonly IRunOwner _owner;
    private readonly Action<RedisRunLog> _finished;
    private readonly RedisKey _runKey;
    private readonly RedisKey _eventsKey;
    private readonly RedisKey[] _scriptKeys;
    private readonly RedisKey[] _appendKeys; // the scripts' keys and the readers': those of RedisScripts.AppendEvents
    private readonly RedisSnapshotWriter _snapshot;
    private readonly Lock _gate = new();
    private readonly Queue<Pending> _pending = new();
    private readonly TaskCompletionSource _flushed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource? _drained;
    private readonly RedisValue _appended;
    private Turn _turn; // whether the writer has it due, now or later, or is sending its events
    private bool _followed; // a reader elsewhere has followed the run: it is written without delay
    private int _sent;
    private long _sequence;
    private int _chunks;
    private long _chars;
    private bool _completing;
    private bool _streamExpires;
    private Exception? _failure;

    /// <param name="from">Where a run taken up after it waited was: the stream goes on after its sequence, the figures from its own.</param>
    public RedisRunLog(RedisRunContext context, RedisRunRecords records, MemoryRunLog local, RunRecord record, IDatabase database,
        RedisWriter writer, RedisSnapshotWriter snapshot, IRunOwner owner, Action<RedisRunLog> finished, StoredRun? from = null)
    {
        _owner = owner;
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
        _writer = writer;
        _finished = finished;
        _runKey = context.Keys.Run(record.RunId);
        _eventsKey = context.Keys.Events(record.RunId);
        _scriptKeys = [_eventsKey, _runKey, context.Keys.Snapshot(record.RunId), context.Keys.Text(record.RunId), context.Keys.Reasoning(record.RunId)];
        _appendKeys = [.. _scriptKeys, context.Keys.Readers(record.RunId)];
        _appended = context.Keys.Appended(record.RunId).ToString();
        RunId = record.RunId;
    }

    public string RunId { get; }

    /// <summary>Who executes the run: told of stops and of the store's failure.</summary>
    internal IRunOwner Owner => _owner;

    /// <summary>How many events the last <see cref="WriteTo"/> took into the command.</summary>
    internal int Sent => _sent;

    /// <summary>The run's span, current when its log was made: the writer issues the run's commands in it.</summary>
    internal System.Diagnostics.Activity? Activity { get; } = System.Diagnostics.Activity.Current;

    public ValueTask AppendAsync(AgentEvent @event, CancellationToken cancellationToken)
    {
        switch (Volatile.Read(ref _failure))
        {
            case RunFailedElsewhereException:
                return _local.AppendAsync(@event, cancellationToken); // the run is being stopped: its readers here see it to its end
            case { } failure:
                throw _context.Guard.Unavailable(failure);
        }
        // The local log makes the event's JSON, once: its readers' frames and the stream's entry are those bytes.
        var local = _local.AppendAsync(@event, out var json, cancellationToken);
        var full = Enqueue(@event, json);
        return full ? WaitForRedisAsync(local, cancellationToken) : local;
    }

    public async ValueTask CompleteAsync(IReadOnlyList<AgentEvent> lastEvents, RunRecord end)
    {
        foreach (var last in _local.Complete(lastEvents, end)) Enqueue(last.ToEvent(), last.Json, isLast: true); // this instance's readers have the end now
        Flush();
        try
        {
            // Up to Runs:MaxBacklogEvents events may still be on their way: on a loaded machine that can take seconds. Past
            // a minute Redis is as good as gone (its connection's loss fails the run meanwhile), and the end is not stored.
            await _flushed.Task.WaitAsync(TimeSpan.FromSeconds(60));
            if (Volatile.Read(ref _failure) is RunFailedElsewhereException) return; // Redis has the end that instance wrote
            if (Volatile.Read(ref _failure) is { } failure)
            {
                _records.EndWhenBack(RunId);
                throw _context.Guard.Unavailable(failure);
            }
            var arguments = new RedisValue[3 + RedisRunRecords.FieldArguments];
            (arguments[0], arguments[1], arguments[2]) = ((long)(_context.RunOptions.RetentionSeconds * 1000), _appended, _sequence);
            RedisRunRecords.WriteFields(end with { LastSequence = _sequence }, arguments, 3);
            // A record another instance failed meanwhile is left as it is (the script does not write it).
            var done = _database.ScriptEvaluateAsync(RedisScripts.EndRun, _scriptKeys, arguments);
            await _context.Guard.RunAsync(() => done);
        }
        catch (RunStoreUnavailableException) when (Volatile.Read(ref _failure) is null)
        {
            _records.EndWhenBack(RunId);
            throw;
        }
        finally
        {
            _finished(this);
        }
    }

    /// <summary>
    /// The run waits for approvals: everything written so far reaches Redis, then in one batch the snapshot is written
    /// as of the run's last event, the record says <c>waiting</c>, the checkpoint and its approvals are stored, the run
    /// joins the waiting set by its deadline, and its keys live long enough for the wait. The local log is handed off:
    /// whichever instance claims the run writes it.
    /// </summary>
    public async Task SuspendAsync(RunCheckpoint checkpoint)
    {
        Flush();
        try
        {
            await _flushed.Task.WaitAsync(TimeSpan.FromSeconds(60));
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
                WriteSnapshot(batch),
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
            _finished(this);
        }
    }

    /// <summary>
    /// The snapshot as of the run's last event, written (by <see cref="RedisScripts.AppendEvents"/>, with no entries)
    /// before the run hands off: whichever instance takes it up goes on from the stored snapshot. Called once the
    /// writer is done with the log.
    /// </summary>
    private Task<RedisResult> WriteSnapshot(IBatch batch)
    {
        var length = 1 + TailLength(writeSnapshot: true);
        var arguments = new RedisValue[1 + length];
        (arguments[0], arguments[1]) = (length, 0); // no entries
        WriteTail(arguments.AsSpan(2), _sequence, _chunks, _chars, RedisValue.EmptyString, writeSnapshot: true, whole: true);
        return batch.ScriptEvaluateAsync(RedisScripts.AppendEvents, _appendKeys, arguments);
    }

    /// <summary>How many of a run's arguments of <see cref="RedisScripts.AppendEvents"/> follow its entries.</summary>
    private int TailLength(bool writeSnapshot) => 6 + _snapshot.ArgumentCount(writeSnapshot);

    /// <summary>
    /// A run's arguments of <see cref="RedisScripts.AppendEvents"/> after its entries (<see cref="TailLength"/>): the
    /// last sequence and the record's figures, the id to trim the stream to, the stream's expiry (its first command
    /// only), the channel to tell readers on, then the snapshot's (<paramref name="whole"/> with the run's last write
    /// here).
    /// </summary>
    private void WriteTail(Span<RedisValue> tail, long last, long chunks, long chars, RedisValue trimTo, bool writeSnapshot, bool whole)
    {
        (tail[0], tail[1], tail[2], tail[3]) = (last, chunks, chars, trimTo);
        tail[4] = _streamExpires ? 0 : (long)(_context.RunOptions.MaxRunSeconds + _context.RunOptions.RetentionSeconds + 60);
        tail[5] = _appended;
        _snapshot.WriteTo(tail[6..], writeSnapshot, whole);
        _streamExpires = true;
    }

    private bool Enqueue(AgentEvent @event, ReadOnlyMemory<byte> data, bool isLast = false)
    {
        bool full;
        Turn turn;
        lock (_gate)
        {
            _pending.Enqueue(new Pending(++_sequence, @event, data, isLast));
            if (@event is TextDelta text)
            {
                _chunks++;
                _chars += text.Delta.Length;
            }
            full = _pending.Count > _context.RunOptions.MaxBacklogEvents;
            turn = NextTurn();
        }
        Ask(turn);
        return full;
    }

    /// <summary>No more events: <see cref="_flushed"/> completes once every one is stored (or storing failed).</summary>
    private void Flush()
    {
        bool schedule;
        lock (_gate)
        {
            _completing = true;
            schedule = _turn != Turn.Now;
            _turn = Turn.Now;
        }
        if (schedule) _writer.Schedule(this);
    }

    /// <summary>
    /// A reader on another instance follows the run (it said so as it came): from now on its events are written
    /// without delay, and those waiting for a later turn go now.
    /// </summary>
    internal void Followed()
    {
        Turn turn;
        lock (_gate)
        {
            _followed = true;
            turn = _pending.Count > 0 ? NextTurn() : Turn.None;
        }
        Ask(turn);
    }

    /// <summary>The writer's clock: the later turn the log asked for has come, unless it was written since.</summary>
    internal bool TakeLaterTurn()
    {
        lock (_gate)
        {
            if (_turn != Turn.Later) return false;
            _turn = Turn.Now;
            return true;
        }
    }

    /// <summary>
    /// Under the lock, with events pending: the turn the log asks the writer for, if it has none (or only a later one,
    /// and must now go without delay); <see cref="Turn.None"/> when it need not ask.
    /// </summary>
    private Turn NextTurn()
    {
        if (_failure is not null || _turn == Turn.Now) return Turn.None;
        var now = _followed || _completing || _pending.Count >= Math.Min(RedisKeys.EventsPerEntry, _context.RunOptions.MaxBacklogEvents / 2 + 1)
                  || _writer.Delay <= TimeSpan.Zero;
        if (_turn == Turn.Later && !now) return Turn.None;
        _turn = now ? Turn.Now : Turn.Later;
        return _turn;
    }

    private void Ask(Turn turn)
    {
        if (turn == Turn.Now) _writer.Schedule(this);
        else if (turn == Turn.Later) _writer.ScheduleLater(this);
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

    /// <summary>
    /// The writer's turn: adds the events pending (up to <see cref="MaxBatch"/>) to the writer's command, as this run's
    /// keys and arguments of <see cref="RedisScripts.AppendEvents"/>: packed in entries of up to
    /// <see cref="RedisKeys.EventsPerEntry"/> (one value each, <see cref="RedisEntries"/>), the stream trimmed to about
    /// its latest <see cref="RedisOptions.MaxStreamLength"/> events (never past the snapshot: the stream holds every
    /// event after it, and the run's last events; so a trim, and the run's end, first write the snapshot as of the
    /// batch), the record's figures and a notice to readers. False when nothing was pending; the writer calls
    /// <see cref="Written"/> once the command is answered.
    /// </summary>
    /// <param name="keys">The command's keys so far: the run's five are added.</param>
    /// <param name="arguments">The command's arguments so far: the run's are added, their count first.</param>
    /// <param name="events">The writer's list to take the events into, empty, cleared by the writer after.</param>
    /// <param name="bytes">Where the command's packed events and ids are written: the writer's, kept until the batch is answered.</param>
    internal bool WriteTo(List<RedisKey> keys, List<RedisValue> arguments, List<Pending> events, RedisBatchBytes bytes)
    {
        int chunks;
        long chars;
        lock (_gate)
        {
            if (_failure is null)
                while (events.Count < MaxBatch && _pending.TryDequeue(out var next)) events.Add(next);
            (chunks, chars) = (_chunks, _chars);
            if (events.Count == 0)
            {
                _turn = Turn.None;
                if (_completing || _failure is not null) _flushed.TrySetResult();
                return false;
            }
        }
        foreach (var pending in events)
            if (!pending.IsLast) _snapshot.Apply(pending.Sequence, pending.Event, pending.Data);
        var entries = (events.Count + RedisKeys.EventsPerEntry - 1) / RedisKeys.EventsPerEntry;
        var last = events[^1].Sequence;
        // The snapshot is written when the stream is to be trimmed past it (until then the stream has every event), and
        // whole with the run's end, so that its answer is read back from the snapshot and the end alone.
        var trimTo = last - Math.Max(1, _context.Options.MaxStreamLength) + 1;
        var writeSnapshot = trimTo > _snapshot.Sequence + 1 || events[^1].IsLast;
        var keepFrom = Math.Min(trimTo, (writeSnapshot ? _snapshot.Applied : _snapshot.Sequence) + 1);
        var length = 1 + 3 * entries + TailLength(writeSnapshot);
        keys.AddRange(_appendKeys);
        arguments.Add(length);
        var first = arguments.Count;
        CollectionsMarshal.SetCount(arguments, first + length);
        var these = CollectionsMarshal.AsSpan(arguments).Slice(first, length);
        // The entries' packed events and their ids, in the batch's bytes.
        var size = (entries + 1) * RedisKeys.MaxEntryIdBytes;
        foreach (var pending in events) size += RedisEntries.SizeOf(pending.Event.EventType, pending.Data.Length);
        var taken = bytes.Take(size);
        var (buffer, offset) = (taken.Array!, taken.Offset);
        var at = 0;
        these[at++] = entries;
        for (var start = 0; start < events.Count; start += RedisKeys.EventsPerEntry)
        {
            var count = Math.Min(RedisKeys.EventsPerEntry, events.Count - start);
            var packed = offset;
            for (var i = start; i < start + count; i++) offset = RedisEntries.Write(buffer, offset, events[i].Event.EventType, events[i].Data.Span);
            var packedLength = offset - packed;
            these[at++] = IdIn(buffer, ref offset, events[start + count - 1].Sequence);
            these[at++] = count;
            these[at++] = new ReadOnlyMemory<byte>(buffer, packed, packedLength);
        }
        WriteTail(these[at..], last, chunks, chars, keepFrom > 1 ? IdIn(buffer, ref offset, keepFrom) : RedisValue.EmptyString, writeSnapshot,
            whole: events[^1].IsLast);
        _sent = events.Count;
        return true;
    }

    /// <summary>The id of the entry whose last event has <paramref name="sequence"/> (<see cref="RedisKeys.EntryId"/>), written into <paramref name="buffer"/>.</summary>
    private static ReadOnlyMemory<byte> IdIn(byte[] buffer, ref int offset, long sequence)
    {
        var length = RedisKeys.WriteEntryId(buffer.AsSpan(offset), sequence);
        var id = new ReadOnlyMemory<byte>(buffer, offset, length);
        offset += length;
        return id;
    }

    /// <summary>
    /// The writer's turn is over, with this run's <paramref name="answer"/> in the command
    /// (<see cref="RedisScripts.AppendEvents"/>'s) or the command's <paramref name="failure"/>.
    /// </summary>
    internal void Written(RedisResult? answer, Exception? failure)
    {
        // The run's part of the command met an error, given as an array of one (the others' went on).
        if (failure is null && answer is { Resp2Type: ResultType.Array } error)
            failure = new RedisServerException(RedisErrorKind.Unknown, CommandFlags.None, (string?)error[0] ?? "");
        // Not written: the record no longer says running (another instance failed the run, or it is gone).
        if (failure is null && answer is { Resp2Type: ResultType.BulkString } reason)
        {
            // Failed by another instance: the run stops now and ends as there. A record gone is the store gone: the run
            // fails at its next event, as below.
            failure = _records.EndedElsewhere(RunId, (string?)reason ?? "");
            if (failure is RunFailedElsewhereException) _owner.StoreFailed(failure);
        }
        // Written, and a reader elsewhere follows the run (should its notice have been lost on the way here).
        Written(failure, followed: failure is null && answer is { Resp2Type: ResultType.Integer } written && (long)written == 2);
    }

    /// <summary>
    /// The writer's turn is over: after a failure the run fails at its next event (and Redis is not written again);
    /// otherwise a writer waiting for Redis to catch up goes on, and the log asks for another turn if events piled up
    /// meanwhile, or says it is flushed once it completes.
    /// </summary>
    internal void Written(Exception? failure, bool followed = false)
    {
        TaskCompletionSource? drained = null;
        var turn = Turn.None;
        if (failure is null) _context.Metrics.StoreBatchWritten(_sent);
        var endedElsewhere = false;
        lock (_gate)
        {
            if (failure is not null && _failure is null)
            {
                _failure = failure;
                endedElsewhere = failure is RunFailedElsewhereException;
            }
            if (_failure is not null || _pending.Count <= _context.RunOptions.MaxBacklogEvents / 2) (drained, _drained) = (_drained, null);
            _followed |= followed;
            _turn = Turn.None;
            if (_pending.Count > 0 || _completing) turn = NextTurn();
            if (_failure is not null) _flushed.TrySetResult();
        }
        if (endedElsewhere) _records.LogEndedElsewhere(RunId);
        drained?.TrySetResult();
        Ask(turn);
    }

    /// <summary>The log's turn: none, one after <see cref="RedisOptions.WriteDelayMs"/>, or one now.</summary>
    private enum Turn : byte
    {
        None,
        Later,
        Now,
    }

    /// <param name="IsLast">One of the run's last events (given to <see cref="CompleteAsync"/>): kept out of the snapshot.</param>
    /// <param name="Data">The event's JSON, as the local log made and keeps it (never written again, so safe to send later).</param>
    internal readonly record struct Pending(long Sequence, AgentEvent Event, ReadOnlyMemory<byte> Data, bool IsLast);
}
