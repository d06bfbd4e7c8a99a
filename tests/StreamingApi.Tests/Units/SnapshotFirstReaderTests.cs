using StreamingApi.Agents;
using StreamingApi.Runs;
using StreamingApi.Runs.Memory;

namespace StreamingApi.Tests.Units;

/// <summary>The reader that gives a run so far as one snapshot (AG-UI's connect), over the memory log.</summary>
public sealed class SnapshotFirstReaderTests
{
    private static MemoryRunLog NewLog(int window = 1024) =>
        new(new RunRecord("r1", "writer", "ag-ui", "m", RunStatus.Running, null, DateTimeOffset.UnixEpoch, null, 0), window, 4096, false, _ => { }, _ => { },
            MemoryRunLogTests.Codec);

    private static readonly RunStarted Started = new("r1", "writer", "m", DateTimeOffset.UnixEpoch);

    [Fact]
    public async Task TheEventsHeldAreFoldedIntoOneSnapshotAndTheLaterOnesFollowLive()
    {
        var log = NewLog();
        await log.AppendAsync(Started, default);
        await log.AppendAsync(new ReasoningDelta("Hmm."), default);
        await log.AppendAsync(new TextDelta("Hello "), default);
        await using var reader = new SnapshotFirstReader(log.Open(0, default).Reader!);

        Assert.True(reader.TryRead(out var first));
        var snapshot = Assert.IsType<RunSnapshot>(first.ToEvent());
        Assert.Equal((3L, 3L, "Hello ", "Hmm.", "writer"), (first.Sequence, snapshot.Sequence, snapshot.Text, snapshot.Reasoning, snapshot.Run?.Agent));
        Assert.False(reader.TryRead(out _));
        await log.AppendAsync(new TextDelta("world"), default);
        Assert.True(await reader.WaitToReadAsync());
        Assert.True(reader.TryRead(out var next));
        Assert.Equal((4L, "world"), (next.Sequence, ((TextDelta)next.ToEvent()).Delta));
    }

    [Fact]
    public async Task AStoresSnapshotIsFoldedWithTheEventsAfterItAndTheRunsLastEventsFollowIt()
    {
        var log = NewLog(window: 4);
        await log.AppendAsync(Started, default);
        for (var i = 1; i <= 20; i++) await log.AppendAsync(new TextDelta($"{i} "), default);
        await log.CompleteAsync([new RunError("model-error", "The model failed", 502, "It broke."), new RunDone(RunStatus.Failed, "model-error", 20, 0, 1, null)],
            log.Record with { Status = RunStatus.Failed });
        await using var reader = new SnapshotFirstReader(log.Open(0, default).Reader!); // event 1 is no longer held: the log starts from its snapshot

        var events = new List<RunEvent>();
        await foreach (var entry in reader.ReadAllAsync()) events.Add(entry);

        Assert.Equal(3, events.Count);
        var snapshot = Assert.IsType<RunSnapshot>(events[0].ToEvent());
        Assert.Equal((21L, RunStatus.Running), (snapshot.Sequence, snapshot.Status));
        Assert.Equal(string.Concat(Enumerable.Range(1, 20).Select(i => $"{i} ")), snapshot.Text);
        Assert.IsType<RunError>(events[1].ToEvent());
        Assert.Equal((23L, RunStatus.Failed), (events[2].Sequence, ((RunDone)events[2].ToEvent()).Status));
    }
}
