using System.Diagnostics;
using StackExchange.Redis;
using StreamingApi.Runs.Memory;

namespace StreamingApi.Runs.Redis;

/// <summary>
/// This instance's one writer of runs' events to Redis. A run's log that has events to store asks for a turn
/// (<see cref="Schedule"/>); the writer sends every run that asked, up to <see cref="RunsPerCommand"/> runs a command
/// (<see cref="RedisScripts.AppendEvents"/>), in one pipelined batch, waits for it, then sends whatever asked meanwhile.
/// With many runs each writing a few events a second, a writer per run cost a round trip, four commands and a waiting
/// task per event; here the runs share the round trips and the commands, and the longer Redis takes the more each
/// batch carries. A run no reader elsewhere follows asks for a turn later (<see cref="ScheduleLater"/>): its events
/// wait <c>Redis:WriteDelayMs</c> and go in one write, on one clock for every such run.
/// </summary>
internal sealed class RedisWriter(RedisGuard guard, TimeProvider time, TimeSpan delay)
{
    /// <summary>
    /// The most runs one command carries: paced runs write an event or two a turn, and sharing a command spares each
    /// its own (a script call, its reply, a task). Bounded, with <see cref="EventsPerCommand"/>, so that one command
    /// does not hold Redis, single-threaded, for long.
    /// </summary>
    public const int RunsPerCommand = 64;

    /// <summary>
    /// A command takes no more runs once it has this many events: a fast run's turn (up to 4,096) goes alone.
    /// </summary>
    private const int EventsPerCommand = 256;

    private readonly Lock _gate = new();
    private readonly Queue<RedisRunLog> _due = new();
    private readonly ReaderSignal _wake = new();
    private readonly List<RedisRunLog.Pending> _events = []; // the one run's events being packed, reused
    private readonly List<RedisRunLog> _packed = []; // the runs of the command being packed
    private readonly List<RedisKey> _keys = []; // its keys
    private readonly List<RedisValue> _arguments = []; // its arguments
    private int _packedEvents; // its events
    private readonly List<Command> _sending = [];
    private readonly List<Command> _refused = []; // the batch's commands refused for an unknown script, to send again
    private readonly RedisBatchBytes _bytes = new(); // the batch's packed events, written over by the next once it is answered
    private Task? _loop;
    private readonly Queue<(long Due, RedisRunLog Log)> _later = new(); // in the order they are due: they all wait as long
    private ITimer? _clock; // made when a run first asks for a later turn; runs only while one waits
    private bool _clockSet;
    private readonly long _delayTicks = (long)(delay.TotalSeconds * time.TimestampFrequency); // in the clock's timestamps

    /// <summary>How long a run's events wait when it asks for a later turn.</summary>
    public TimeSpan Delay => delay;

    /// <summary>Gives <paramref name="log"/> a place in the next batch (the log asks once until it has been written).</summary>
    public void Schedule(RedisRunLog log)
    {
        lock (_gate)
        {
            _due.Enqueue(log);
            if (_loop is null)
            {
                // The loop serves every run: it must not keep the context (the trace) of the run that happened to start it.
                using (ExecutionContext.SuppressFlow()) _loop = Task.Run(WriteAsync);
            }
        }
        _wake.Release();
    }

    /// <summary>
    /// Gives <paramref name="log"/> a place in the batch after <see cref="Delay"/>, when it asks then
    /// (<see cref="RedisRunLog.TakeLaterTurn"/>: it may have been written meanwhile, or have nothing left).
    /// </summary>
    public void ScheduleLater(RedisRunLog log)
    {
        lock (_gate)
        {
            _later.Enqueue((time.GetTimestamp() + _delayTicks, log));
            if (_clockSet) return;
            _clockSet = true;
            if (_clock is null)
            {
                using (ExecutionContext.SuppressFlow())
                    _clock = time.CreateTimer(static state => ((RedisWriter)state!).LaterTurnsDue(), this, delay, Timeout.InfiniteTimeSpan);
            }
            else _clock.Change(delay, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>
    /// The clock: the runs whose later turn has come, or comes within an eighth of the delay, ask for it; the clock
    /// is set for the next, an eighth of the delay on at least: it ticks a few times a delay however many runs wait.
    /// </summary>
    private void LaterTurnsDue()
    {
        var due = new List<RedisRunLog>();
        lock (_gate)
        {
            var now = time.GetTimestamp();
            var grain = Math.Max(1, _delayTicks / 8);
            while (_later.TryPeek(out var head) && head.Due <= now + grain) due.Add(_later.Dequeue().Log);
            if (_later.TryPeek(out var next))
                _clock!.Change(TimeSpan.FromSeconds((double)Math.Max(grain, next.Due - now) / time.TimestampFrequency), Timeout.InfiniteTimeSpan);
            else _clockSet = false;
        }
        foreach (var log in due)
            if (log.TakeLaterTurn()) Schedule(log);
    }

    private async Task WriteAsync()
    {
        var batchOf = new List<RedisRunLog>();
        while (true)
        {
            await _wake.WaitAsync();
            while (true)
            {
                lock (_gate)
                {
                    while (_due.TryDequeue(out var log)) batchOf.Add(log);
                }
                if (batchOf.Count == 0) break;
                await SendAsync(batchOf);
                batchOf.Clear();
            }
        }
    }

    /// <summary>One round trip: each log's pending events, up to <see cref="RunsPerCommand"/> logs a command.</summary>
    private async Task SendAsync(List<RedisRunLog> logs)
    {
        IDatabase database;
        try
        {
            database = await guard.WriterDatabaseAsync();
        }
        catch (Exception exception)
        {
            foreach (var log in logs) log.Written(exception);
            return;
        }
        var batch = database.CreateBatch();
        var failed = false;
        foreach (var log in logs)
        {
            // A run whose span is recorded has a command of its own, issued in its trace, as when each run wrote its
            // own; the others share theirs (setting the current activity costs an execution context per run and batch).
            if (log.Activity is { Recorded: true } span)
            {
                Send(batch);
                try
                {
                    Activity.Current = span;
                    failed |= !Pack(log);
                    Send(batch);
                }
                finally
                {
                    Activity.Current = null;
                }
            }
            else
            {
                failed |= !Pack(log);
                if (_packed.Count == RunsPerCommand || _packedEvents >= EventsPerCommand) Send(batch);
            }
        }
        Send(batch);
        batch.Execute();
        failed |= await AnsweredAsync(from: 0, resendUnknown: true);
        if (_refused.Count > 0) failed |= await ResendAsync(database);
        _sending.Clear();
        if (failed) _bytes.Drop();
        else _bytes.Reuse();
    }

    /// <summary>Adds the log's pending events to the command being packed: false when that failed.</summary>
    private bool Pack(RedisRunLog log)
    {
        var (keys, arguments) = (_keys.Count, _arguments.Count);
        try
        {
            if (log.WriteTo(_keys, _arguments, _events, _bytes))
            {
                _packed.Add(log);
                _packedEvents += log.Sent;
            }
            return true;
        }
        catch (Exception exception)
        {
            _keys.RemoveRange(keys, _keys.Count - keys);
            _arguments.RemoveRange(arguments, _arguments.Count - arguments);
            log.Written(exception);
            return false;
        }
        finally
        {
            _events.Clear();
        }
    }

    /// <summary>The command packed so far, added to <paramref name="batch"/> (when it has a run).</summary>
    private void Send(IBatch batch)
    {
        if (_packed.Count == 0) return;
        RedisKey[] keys = [.. _keys];
        RedisValue[] arguments = [.. _arguments];
        var sent = batch.ScriptEvaluateAsync(RedisScripts.AppendEventsHash, keys, arguments);
        _sending.Add(new Command([.. _packed], keys, arguments, sent));
        _packed.Clear();
        _keys.Clear();
        _arguments.Clear();
        _packedEvents = 0;
    }

    /// <summary>
    /// The commands Redis refused because it did not know their script (restarted, or its scripts flushed) again, with
    /// the script's text, in one pipelined batch: whether any failed.
    /// </summary>
    private Task<bool> ResendAsync(IDatabase database)
    {
        var from = _sending.Count;
        var batch = database.CreateBatch();
        foreach (var command in _refused)
            _sending.Add(command with { Sent = batch.ScriptEvaluateAsync(RedisScripts.AppendEvents, command.Keys, command.Arguments) });
        batch.Execute();
        _refused.Clear();
        return AnsweredAsync(from, resendUnknown: false);
    }

    /// <summary>
    /// Each sent command's answers from <paramref name="from"/> on, told to its logs: whether any failed. With
    /// <paramref name="resendUnknown"/>, a command refused for an unknown script is kept to be sent again instead.
    /// </summary>
    private async Task<bool> AnsweredAsync(int from, bool resendUnknown)
    {
        var failed = false;
        for (var i = from; i < _sending.Count; i++)
        {
            var command = _sending[i];
            RedisResult[] answers;
            try
            {
                answers = (RedisResult[])(await command.Sent.ConfigureAwait(false))!;
                if (answers.Length != command.Logs.Length)
                    throw new InvalidOperationException($"Redis answered {answers.Length} runs of {command.Logs.Length}.");
            }
            catch (Exception unknown) when (resendUnknown && RedisScripts.IsUnknown(unknown))
            {
                _refused.Add(command); // sent again, with the others Redis refused, in one round trip
                continue;
            }
            catch (Exception exception)
            {
                failed = true;
                foreach (var log in command.Logs) log.Written(null, exception);
                continue;
            }
            // Redis read the whole command: a run's part that met an error is that run's failure alone.
            for (var run = 0; run < command.Logs.Length; run++) command.Logs[run].Written(answers[run], null);
        }
        return failed;
    }

    /// <summary>A command of the batch: its runs' logs, in the order of their keys and arguments; its answer.</summary>
    private sealed record Command(RedisRunLog[] Logs, RedisKey[] Keys, RedisValue[] Arguments, Task<RedisResult> Sent);
}
