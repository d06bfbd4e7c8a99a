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
