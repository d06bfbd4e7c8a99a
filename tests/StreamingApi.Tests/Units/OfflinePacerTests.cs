using StreamingApi.Models.Offline;

namespace StreamingApi.Tests.Units;

/// <summary>The offline model's one clock: waits end when due and not before, and the clock sleeps while none is due.</summary>
public sealed class OfflinePacerTests
{
    private static readonly TimeSpan Millisecond = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(30); // a loaded machine's thread pool, generously

    private readonly CountingTimeProvider _time = new();

    private long In(TimeSpan after) => _time.GetTimestamp() + (long)(after.TotalSeconds * _time.TimestampFrequency);

    [Fact]
    public async Task AWaitEndsWhenDueAndTheClockWakesOnlyThen()
    {
        using var pacer = new OfflinePacer(_time);
        using var waiter = pacer.CreateWaiter(CancellationToken.None);
        var wait = waiter.WaitUntilAsync(In(TimeSpan.FromSeconds(1))).AsTask();

        _time.Advance(TimeSpan.FromMilliseconds(999), Millisecond);
        Assert.False(wait.IsCompleted);
        Assert.Equal(0, _time.Fired); // a 1 ms clock would have woken 999 times for nothing

        _time.Advance(Millisecond, Millisecond);
        await wait.WaitAsync(Settle);
        Assert.Equal(1, _time.Fired);

        _time.Advance(TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(10));
        Assert.Equal(1, _time.Fired); // nobody waits: no clock
    }

    [Fact]
    public async Task WaitsEndInTheOrderTheyAreDueWhateverTheOrderTheyBegan()
    {
        using var pacer = new OfflinePacer(_time);
        var waiters = Enumerable.Range(0, 3).Select(_ => pacer.CreateWaiter(CancellationToken.None)).ToArray();
        var late = waiters[0].WaitUntilAsync(In(TimeSpan.FromSeconds(3))).AsTask();
        var early = waiters[1].WaitUntilAsync(In(TimeSpan.FromSeconds(1))).AsTask();
        var sameAsEarly = waiters[2].WaitUntilAsync(In(TimeSpan.FromSeconds(1))).AsTask();

        _time.Advance(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(10));
        await Task.WhenAll(early, sameAsEarly).WaitAsync(Settle);
        Assert.False(late.IsCompleted);
        Assert.Equal(1, _time.Fired); // both due at once: one wake-up

        _time.Advance(TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(10));
        await late.WaitAsync(Settle);
        Assert.Equal(2, _time.Fired);
        foreach (var waiter in waiters) waiter.Dispose();
    }

    [Fact]
    public async Task AWaitThatIsDueAlreadyEndsAtOnceAndAStoppedRunsWaitEndsAtOnce()
    {
        using var pacer = new OfflinePacer(_time);
        using var stop = new CancellationTokenSource();
        using var waiter = pacer.CreateWaiter(stop.Token);
        Assert.True(waiter.WaitUntilAsync(In(TimeSpan.Zero)).IsCompletedSuccessfully);

        var wait = waiter.WaitUntilAsync(In(TimeSpan.FromMinutes(1))).AsTask();
        stop.Cancel();
        Assert.False(await wait.WaitAsync(Settle)); // it says it was stopped, and throws nothing
        Assert.Equal(0, _time.Fired);
        Assert.False(await waiter.WaitUntilAsync(In(TimeSpan.Zero))); // stopped: even a wait that is due says so
    }
}
