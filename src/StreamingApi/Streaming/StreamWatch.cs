using StreamingApi.Observability;
using StreamingApi.Runs;

namespace StreamingApi.Streaming;

/// <summary>
/// Heartbeats and stalled readers: the watch over one stream's response. When nothing was written for
/// <c>Streaming:HeartbeatSeconds</c>, it wakes the writer (through its reader) to write a <c>: keep-alive</c> comment,
/// so that proxies do not cut a silent stream. When a flush has not completed for <c>Streaming:StalledReaderSeconds</c>
/// (the client takes nothing), it drops the connection, which the run's host then sees as a reader that left.
/// It has no timer of its own: <see cref="StreamWatches"/>' one clock looks at every open stream's watch.
/// </summary>
internal sealed class StreamWatch : IDisposable
{
    private readonly StreamWatches _watches;
    private readonly HttpContext _http;
    private readonly IRunReader _reader;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly long _heartbeatTicks;
    private readonly long _stalledTicks;
    private long _lastWrite;
    private long _flushingSince;
    private int _dropped;
    private volatile bool _ended;

    internal StreamWatch(StreamWatches watches, HttpContext http, IRunReader reader, TimeProvider time, ILogger logger)
    {
        _watches = watches;
        _http = http;
        _reader = reader;
        _time = time;
        _logger = logger;
        _heartbeatTicks = (long)(Math.Max(0, watches.Options.HeartbeatSeconds) * time.TimestampFrequency);
        _stalledTicks = (long)(Math.Max(0, watches.Options.StalledReaderSeconds) * time.TimestampFrequency);
        _lastWrite = time.GetTimestamp();
    }

    /// <summary>Where the watch is in its clock's list (-1: not in it); kept under the clock's lock.</summary>
    internal int Slot { get; set; } = -1;

    /// <summary>Whether the stream has been silent for a heartbeat's period (checked by the writer when it is woken).</summary>
    public bool HeartbeatDue => IsHeartbeatDue(_time.GetTimestamp());

    /// <summary>The writer starts a flush: from now on, the watch times how long the client takes to accept it.</summary>
    public void FlushStarting() => Volatile.Write(ref _flushingSince, _time.GetTimestamp());

    /// <summary>The flush completed: what was written has left.</summary>
    public void Flushed()
    {
        Volatile.Write(ref _flushingSince, 0);
        Volatile.Write(ref _lastWrite, _time.GetTimestamp());
    }

    public void Dispose()
    {
        _ended = true; // a sweep that copied this watch before it left its clock's list passes it by
        _watches.Unwatch(this);
    }

    /// <summary>On the clock: drops a reader stuck in a flush; wakes an idle one for its heartbeat.</summary>
    internal void Check(long now)
    {
        if (_ended) return;
        var flushingSince = Volatile.Read(ref _flushingSince);
        if (flushingSince != 0)
        {
            if (_stalledTicks > 0 && now - flushingSince >= _stalledTicks && Interlocked.Exchange(ref _dropped, 1) == 0)
            {
                StreamLogMessages.StalledReaderDropped(_logger, _reader.RunId, (now - flushingSince) / (double)_time.TimestampFrequency);
                _http.Abort();
            }
            return;
        }
        if (IsHeartbeatDue(now)) _reader.Interrupt();
    }

    private bool IsHeartbeatDue(long now) => _heartbeatTicks > 0 && now - Volatile.Read(ref _lastWrite) >= _heartbeatTicks;
}
