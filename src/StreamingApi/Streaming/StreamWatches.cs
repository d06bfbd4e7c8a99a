using Microsoft.Extensions.Options;
using StreamingApi.Runs;

namespace StreamingApi.Streaming;

/// <summary>
/// The one clock of every open stream's <see cref="StreamWatch"/>: a single timer, ticking at a quarter of the
/// shorter of <c>Streaming:HeartbeatSeconds</c> and <c>Streaming:StalledReaderSeconds</c> (at least 50 ms, at most
/// 5 s) and only while some stream is open, that looks at each watch in turn. Ten thousand held streams cost one
/// wake-up a tick and a few reads each, not ten thousand timers of their own; a stream that waits costs nothing more.
/// </summary>
internal sealed class StreamWatches : IDisposable
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ITimer? _timer;
    private readonly TimeSpan _tick;
    private StreamWatch[] _watches = new StreamWatch[64];
    private StreamWatch[] _sweep = [];
    private int _count;
    private bool _ticking;
    private int _sweeping;

    public StreamWatches(IOptions<StreamingOptions> options, TimeProvider time, ILogger<RunEventStream> logger)
    {
        Options = options.Value;
        _time = time;
        _logger = logger;
        // The shorter of the two periods that are on (a period of 0 or less is off).
        var (heartbeat, stalled) = (Options.HeartbeatSeconds, Options.StalledReaderSeconds);
        var shortest = heartbeat > 0 && stalled > 0 ? Math.Min(heartbeat, stalled) : Math.Max(heartbeat, stalled);
        if (shortest <= 0) return; // nothing to watch: no clock at all
        _tick = TimeSpan.FromSeconds(Math.Clamp(shortest / 4, 0.05, 5));
        _timer = time.CreateTimer(static state => ((StreamWatches)state!).Tick(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    internal StreamingOptions Options { get; }

    /// <summary>Starts watching one response; disposing the watch stops it.</summary>
    public StreamWatch Watch(HttpContext http, IRunReader reader)
    {
        var watch = new StreamWatch(this, http, reader, _time, _logger);
        if (_timer is null) return watch;
        lock (_gate)
        {
            if (_count == _watches.Length) Array.Resize(ref _watches, _count * 2);
            watch.Slot = _count;
            _watches[_count++] = watch;
            if (!_ticking)
            {
                _ticking = true;
                _timer.Change(_tick, _tick);
            }
        }
        return watch;
    }

    /// <summary>The watch's stream has ended.</summary>
    internal void Unwatch(StreamWatch watch)
    {
        if (_timer is null) return;
        lock (_gate)
        {
            var slot = watch.Slot;
            if (slot < 0) return;
            var last = _watches[--_count];
            _watches[slot] = last;
            last.Slot = slot;
            _watches[_count] = null!;
            watch.Slot = -1;
        }
    }

    public void Dispose() => _timer?.Dispose();

    /// <summary>On the clock: every open stream's watch looks at its stream; with none open, the clock stops.</summary>
    private void Tick()
    {
        if (Interlocked.Exchange(ref _sweeping, 1) == 1) return; // the last sweep has not ended: this tick is skipped
        try
        {
            int count;
            lock (_gate)
            {
                count = _count;
                if (count == 0)
                {
                    _ticking = false;
                    _timer!.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                    return;
                }
                if (_sweep.Length < count) _sweep = new StreamWatch[_watches.Length];
                Array.Copy(_watches, _sweep, count);
            }
            // Outside the lock: streams start and end meanwhile, and a watch may abort its connection.
            var now = _time.GetTimestamp();
            for (var i = 0; i < count; i++) _sweep[i].Check(now);
            Array.Clear(_sweep, 0, count);
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }
}
