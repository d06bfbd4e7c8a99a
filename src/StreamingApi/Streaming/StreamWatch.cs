using StreamingApi.Observability;
using StreamingApi.Runs;

namespace StreamingApi.Streaming;

/// <summary>
/// Heartbeats and stalled readers: the watch over one stream's response. When nothing was written for
/// <c>Streaming:HeartbeatSeconds</c>, it wakes the writer (through its reader) to write a <c>: keep-alive</c> comment,
/// so that proxies do not cut a silent stream. When a flush has not completed for <c>Streaming:StalledReaderSeconds</c>
/// (the client takes nothing), it drops the connection, which the run's host then sees as a reader that left.
/// One timer per response, ticking at a quarter of the shorter period that is on.
/// </summary>
internal sealed class StreamWatch : IDisposable
{
    private readonly HttpContext _http;
    private readonly IRunReader _reader;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly long _heartbeatTicks;
    private readonly long _stalledTicks;
    private readonly ITimer? _timer;
    private long _lastWrite;
    private long _flushingSince;
    private int _dropped;

    public StreamWatch(HttpContext http, IRunReader reader, StreamingOptions options, TimeProvider time, ILogger logger)
    {
        _http = http;
        _reader = reader;
        _time = time;
        _logger = logger;
        _heartbeatTicks = (long)(Math.Max(0, options.HeartbeatSeconds) * time.TimestampFrequency);
        _stalledTicks = (long)(Math.Max(0, options.StalledReaderSeconds) * time.TimestampFrequency);
        _lastWrite = time.GetTimestamp();
        // The shorter of the two periods that are on (a period of 0 or less is off).
        var shortest = options.HeartbeatSeconds > 0 && options.StalledReaderSeconds > 0
            ? Math.Min(options.HeartbeatSeconds, options.StalledReaderSeconds)
            : Math.Max(options.HeartbeatSeconds, options.StalledReaderSeconds);
        if (shortest <= 0) return;
        var tick = TimeSpan.FromSeconds(Math.Clamp(shortest / 4, 0.05, 5));
        _timer = time.CreateTimer(static state => ((StreamWatch)state!).Check(), this, tick, tick);
    }

    /// <summary>Whether the stream has been silent for a heartbeat's period (checked by the writer when it is woken).</summary>
    public bool HeartbeatDue => _heartbeatTicks > 0 && _time.GetTimestamp() - Volatile.Read(ref _lastWrite) >= _heartbeatTicks;

    /// <summary>The writer starts a flush: from now on, the watch times how long the client takes to accept it.</summary>
    public void FlushStarting() => Volatile.Write(ref _flushingSince, _time.GetTimestamp());

    /// <summary>The flush completed: what was written has left.</summary>
    public void Flushed()
    {
        Volatile.Write(ref _flushingSince, 0);
        Volatile.Write(ref _lastWrite, _time.GetTimestamp());
    }

    public void Dispose() => _timer?.Dispose();

    /// <summary>On the timer: drops a reader stuck in a flush; wakes an idle one for its heartbeat.</summary>
    private void Check()
    {
        var now = _time.GetTimestamp();
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
        if (HeartbeatDue) _reader.Interrupt();
    }
}
