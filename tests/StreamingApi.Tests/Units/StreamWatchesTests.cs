using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StreamingApi.Runs;
using StreamingApi.Streaming;

namespace StreamingApi.Tests.Units;

/// <summary>
/// The one clock of every stream's watch, on a fake clock: heartbeats for silent streams, a drop for a stalled
/// reader, and no clock at all while no stream is open.
/// </summary>
public sealed class StreamWatchesTests
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(50);

    private readonly CountingTimeProvider _time = new();
    private readonly StreamWatches _watches;

    public StreamWatchesTests() =>
        _watches = new StreamWatches(Options.Create(new StreamingOptions { HeartbeatSeconds = 4, StalledReaderSeconds = 8 }), _time,
            NullLogger<RunEventStream>.Instance);

    [Fact]
    public void ASilentStreamIsWokenForItsHeartbeatAndOneThatWritesIsNot()
    {
        var silent = new Stream();
        var writing = new Stream();
        using var silentWatch = _watches.Watch(silent.Http, silent);
        using var writingWatch = _watches.Watch(writing.Http, writing);

        _time.Advance(TimeSpan.FromSeconds(3.5), Step);
        writingWatch.FlushStarting();
        writingWatch.Flushed();
        Assert.Equal(0, silent.Interrupts);
        Assert.False(silentWatch.HeartbeatDue);

        _time.Advance(TimeSpan.FromSeconds(1.5), Step); // a tick (every second: a quarter of 4 s) past 4 s of silence
        Assert.True(silentWatch.HeartbeatDue);
        Assert.InRange(silent.Interrupts, 1, 2);
        Assert.Equal(0, writing.Interrupts);
        Assert.False(silent.Aborted);
    }

    [Fact]
    public void AReaderStuckInAFlushIsDroppedOnceAfterTheStalledPeriod()
    {
        var stuck = new Stream();
        using var watch = _watches.Watch(stuck.Http, stuck);
        watch.FlushStarting();

        _time.Advance(TimeSpan.FromSeconds(7), Step);
        Assert.False(stuck.Aborted);
        _time.Advance(TimeSpan.FromSeconds(2), Step);
        Assert.True(stuck.Aborted);
        _time.Advance(TimeSpan.FromSeconds(10), Step);
        Assert.Equal(1, stuck.Aborts);
        Assert.Equal(0, stuck.Interrupts); // a stream in a flush is not woken for a heartbeat
    }

    [Fact]
    public void TheClockRunsOnlyWhileAStreamIsOpen()
    {
        _time.Advance(TimeSpan.FromMinutes(1), Step);
        Assert.Equal(0, _time.Fired);

        var streams = Enumerable.Range(0, 100).Select(_ => new Stream()).ToList();
        var watches = streams.Select(s => _watches.Watch(s.Http, s)).ToList();
        _time.Advance(TimeSpan.FromSeconds(10), Step);
        Assert.InRange(_time.Fired, 9, 11); // one clock ticking every second, not one per stream
        Assert.All(streams, s => Assert.True(s.Interrupts >= 1));

        foreach (var watch in watches) watch.Dispose();
        _time.Advance(TimeSpan.FromSeconds(2), Step); // the tick that finds nothing open stops the clock
        var fired = _time.Fired;
        _time.Advance(TimeSpan.FromMinutes(1), Step);
        Assert.Equal(fired, _time.Fired);
        var interrupts = streams.Sum(s => s.Interrupts);

        var again = new Stream();
        using (_watches.Watch(again.Http, again)) _time.Advance(TimeSpan.FromSeconds(5), Step);
        Assert.True(again.Interrupts >= 1); // the clock starts again for a new stream
        Assert.Equal(interrupts, streams.Sum(s => s.Interrupts)); // and the ended ones are no longer looked at
    }

    /// <summary>A stream's reader and connection, counting what the watch does to them.</summary>
    private sealed class Stream : IRunReader, IHttpRequestLifetimeFeature
    {
        private int _interrupts;
        private int _aborts;

        public Stream() => Http.Features.Set<IHttpRequestLifetimeFeature>(this);

        public DefaultHttpContext Http { get; } = new();

        public int Interrupts => Volatile.Read(ref _interrupts);

        public int Aborts => Volatile.Read(ref _aborts);

        public bool Aborted => Aborts > 0;

        public string RunId => "run";

        public CancellationToken RequestAborted { get; set; }

        public bool TryRead(out RunEvent entry)
        {
            entry = default;
            return false;
        }

        public ValueTask<bool> WaitToReadAsync() => ValueTask.FromResult(true);

        public void Interrupt() => Interlocked.Increment(ref _interrupts);

        public void Abort() => Interlocked.Increment(ref _aborts);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
