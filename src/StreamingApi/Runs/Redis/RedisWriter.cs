using System.Diagnostics;
using StackExchange.Redis;
using StreamingApi.Runs.Memory;

namespace StreamingApi.Runs.Redis;

/// <summary>
/// This instance's one writer of runs' events to Redis. A run's log that has events to store asks for a turn
/// (<see cref="Schedule"/>); the writer sends every run that asked, one command each
/// (<see cref="RedisScripts.AppendEvents"/>), in one pipelined batch, waits for it, then sends whatever asked meanwhile.
/// With many runs each writing a few events a second, a writer per run cost a round trip, four commands and a waiting
/// task per event; here the runs share the round trips, and the longer Redis takes the more each batch carries.
/// </summary>
internal sealed class RedisWriter(RedisGuard guard)
{
    private readonly Lock _gate = new();
    private readonly Queue<RedisRunLog> _due = new();
    private readonly ReaderSignal _wake = new();
    private readonly List<RedisRunLog.Pending> _events = []; // the one run's events being packed, reused
    private readonly List<(RedisRunLog Log, Task<RedisResult> Sent)> _sending = [];
    private readonly List<RedisRunLog> _refused = []; // the batch's commands refused for an unknown script, to send again
    private readonly RedisBatchBytes _bytes = new(); // the batch's packed events, written over by the next once it is answered
    private Task? _loop;

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

    /// <summary>One round trip: each log's pending events in one command, all in one pipelined batch.</summary>
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
            // Each run's command is issued in its run's trace, as when each run wrote its own; only a recorded span has
            // any use for it: setting the current activity costs an execution context per run and batch.
            var traced = log.Activity is { Recorded: true };
            try
            {
                if (traced) Activity.Current = log.Activity;
                if (log.WriteTo(batch, _events, _bytes) is { } sent) _sending.Add((log, sent));
            }
            catch (Exception exception)
            {
                failed = true;
                log.Written(exception);
            }
            finally
            {
                _events.Clear();
                if (traced) Activity.Current = null;
            }
        }
        batch.Execute();
        failed |= await AnsweredAsync(from: 0, resendUnknown: true);
        if (_refused.Count > 0) failed |= await ResendAsync(database);
        _sending.Clear();
        if (failed) _bytes.Drop();
        else _bytes.Reuse();
    }

    /// <summary>
    /// The commands Redis refused because it did not know their script (restarted, or its scripts flushed) again, with
    /// the script's text, in one pipelined batch: whether any failed.
    /// </summary>
    private Task<bool> ResendAsync(IDatabase database)
    {
        var from = _sending.Count;
        var batch = database.CreateBatch();
        foreach (var log in _refused) _sending.Add((log, log.Resend(batch)));
        batch.Execute();
        _refused.Clear();
        return AnsweredAsync(from, resendUnknown: false);
    }

    /// <summary>
    /// Each sent command's answer from <paramref name="from"/> on, told to its log: whether any failed. With
    /// <paramref name="resendUnknown"/>, a command refused for an unknown script is kept to be sent again instead.
    /// </summary>
    private async Task<bool> AnsweredAsync(int from, bool resendUnknown)
    {
        var failed = false;
        for (var i = from; i < _sending.Count; i++)
        {
            var (log, sent) = _sending[i];
            Exception? failure = null;
            RedisResult? answer = null;
            try
            {
                answer = await sent.ConfigureAwait(false);
            }
            catch (Exception unknown) when (resendUnknown && RedisScripts.IsUnknown(unknown))
            {
                _refused.Add(log); // sent again, with the others Redis refused, in one round trip
                continue;
            }
            catch (Exception exception)
            {
                failure = exception;
            }
            failed |= failure is not null;
            log.Written(answer, failure);
        }
        return failed;
    }
}
