using Microsoft.Extensions.Time.Testing;
using StreamingApi.Runs;

namespace StreamingApi.Tests.Units;

/// <summary>The detach grace of a run whose readers are on other instances, on a fake clock.</summary>
public sealed class DetachGraceElsewhereTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider _time = new();
    private readonly List<(TimeSpan At, string Reason)> _stops = [];
    private readonly DateTimeOffset _start;
    private bool _readersElsewhere;

    public DetachGraceElsewhereTests() => _start = _time.GetUtcNow();

    private DetachGrace NewGrace() =>
        new(Grace, _time, reason => _stops.Add((_time.GetUtcNow() - _start, reason)), () => ValueTask.FromResult(_readersElsewhere));

    [Fact]
    public void ARunReadElsewhereGoesOnForAsLongAsItIsReadThenForTheGrace()
    {
        using var grace = NewGrace();
        _readersElsewhere = true;
        grace.ReadersChanged(0); // the client left this instance for another one

        AdvanceTo(TimeSpan.FromMinutes(5));
        Assert.Empty(_stops);

        _readersElsewhere = false;
        AdvanceTo(TimeSpan.FromMinutes(5) + Grace + TimeSpan.FromSeconds(1));
        var stop = Assert.Single(_stops);
        Assert.Equal(StopReasons.ClientDisconnected, stop.Reason);
        Assert.InRange(stop.At, TimeSpan.FromMinutes(5) + Grace * 3 / 4, TimeSpan.FromMinutes(5) + Grace);
    }

    [Fact]
    public void AClientThatLeavesTheOtherInstanceJustBeforeALookStillHasMostOfTheGrace()
    {
        using var grace = NewGrace();
        _readersElsewhere = true;
        grace.ReadersChanged(0);

        // Looks at 10 s (the grace), then every 2.5 s; the reader elsewhere leaves just before the one at 20 s.
        var left = TimeSpan.FromSeconds(19.9);
        AdvanceTo(left);
        _readersElsewhere = false;
        AdvanceTo(left + Grace * 3 / 4 - TimeSpan.FromMilliseconds(100));
        Assert.Empty(_stops); // it once stopped at the look of 20 s: 0.1 s of grace

        AdvanceTo(left + Grace);
        Assert.InRange(Assert.Single(_stops).At, left + Grace * 3 / 4 - TimeSpan.FromMilliseconds(100), left + Grace);
    }

    [Fact]
    public void AClientThatComesBackElsewhereWithinTheGraceKeepsTheRun()
    {
        using var grace = NewGrace();
        _readersElsewhere = true;
        grace.ReadersChanged(0);
        AdvanceTo(TimeSpan.FromSeconds(15));

        _readersElsewhere = false; // it left the other instance...
        AdvanceTo(TimeSpan.FromSeconds(20));
        _readersElsewhere = true; // ...and came back to a third one
        AdvanceTo(TimeSpan.FromSeconds(60));
        Assert.Empty(_stops);
    }

    /// <summary>Moves the clock in steps of 100 ms, so that each timer fires at its own time.</summary>
    private void AdvanceTo(TimeSpan since)
    {
        while (_time.GetUtcNow() - _start < since) _time.Advance(TimeSpan.FromMilliseconds(100));
    }
}
