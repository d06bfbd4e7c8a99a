using StreamingApi.Agents;
using StreamingApi.Runs;

namespace StreamingApi.Tests.Units;

public sealed class RunEventLogTests
{
    [Fact]
    public async Task ReadersFromAnyPositionSeeEveryLaterEventInOrderUntilComplete()
    {
        var log = new RunEventLog();
        log.Append(new TextDelta("a"));
        log.Append(new TextDelta("b"));

        var fromStart = Collect(log, 0);
        var afterFirst = Collect(log, 1);
        log.Append(new TextDelta("c"));
        log.Complete();

        Assert.Equal([(1L, "a"), (2, "b"), (3, "c")], await fromStart);
        Assert.Equal([(2L, "b"), (3, "c")], await afterFirst);
        Assert.Throws<InvalidOperationException>(() => log.Append(new TextDelta("late")));
    }

    private static async Task<List<(long, string)>> Collect(RunEventLog log, long after)
    {
        var items = new List<(long, string)>();
        await foreach (var entry in log.ReadAsync(after)) items.Add((entry.Sequence, ((TextDelta)entry.Event).Delta));
        return items;
    }
}

public sealed class RunEventLogRetentionTests
{
    [Fact]
    public async Task EventsEveryReaderHasPassedAreLetGoBeyondTheReplayWindow()
    {
        var log = new RunEventLog(replayWindow: 8);
        await using var reader = log.ReadAsync().GetAsyncEnumerator();
        for (var i = 0; i < 500; i++)
        {
            log.Append(new TextDelta(i.ToString()));
            Assert.True(await reader.MoveNextAsync());
            Assert.Equal(i + 1, reader.Current.Sequence);
        }

        Assert.Equal(500, log.Count);
        Assert.InRange(log.FirstHeld, 500 - 8 - 64, 500 - 8 + 1); // only the window (and one chunk) is held
        var resumed = await log.ReadAsync(afterSequence: 495).Take(5).ToListAsync();
        Assert.Equal([496L, 497, 498, 499, 500], resumed.Select(e => e.Sequence));
        Assert.Throws<InvalidOperationException>(() => log.ReadAsync(afterSequence: 10).GetAsyncEnumerator().MoveNextAsync().AsTask().GetAwaiter().GetResult());
    }

    [Fact]
    public async Task NothingIsLetGoBeforeTheFirstReaderNorWhatASlowReaderHasNotRead()
    {
        var log = new RunEventLog(replayWindow: 8);
        for (var i = 0; i < 300; i++) log.Append(new TextDelta(i.ToString()));
        Assert.Equal(1, log.FirstHeld); // no reader yet: the response that starts a run must see its start

        await using var slow = log.ReadAsync().GetAsyncEnumerator();
        Assert.True(await slow.MoveNextAsync()); // the reader has taken 1 to 300 and handed out the first
        for (var i = 0; i < 300; i++) log.Append(new TextDelta("more"));
        Assert.InRange(log.FirstHeld, 2, 301); // 301 to 600 are not read yet: all held

        log.Complete();
        var rest = 1;
        while (await slow.MoveNextAsync()) rest++;
        Assert.Equal(600, rest);
    }
}
