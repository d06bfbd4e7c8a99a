using Microsoft.Extensions.Time.Testing;

namespace StreamingApi.Tests.Units;

/// <summary>A fake clock that counts how often its timers fire: what a component's waiting costs when nothing happens.</summary>
internal sealed class CountingTimeProvider : TimeProvider
{
    private int _fired;

    public FakeTimeProvider Fake { get; } = new();

    /// <summary>How many timer callbacks have run so far.</summary>
    public int Fired => Volatile.Read(ref _fired);

    public override long GetTimestamp() => Fake.GetTimestamp();

    public override long TimestampFrequency => Fake.TimestampFrequency;

    public override DateTimeOffset GetUtcNow() => Fake.GetUtcNow();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        Fake.CreateTimer(s =>
        {
            Interlocked.Increment(ref _fired);
            callback(s);
        }, state, dueTime, period);

    /// <summary>Moves the clock on in steps of <paramref name="step"/>, as a real clock would pass through them.</summary>
    public void Advance(TimeSpan by, TimeSpan step)
    {
        for (var passed = TimeSpan.Zero; passed < by; passed += step) Fake.Advance(step);
    }
}
