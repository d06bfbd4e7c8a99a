using StreamingApi.Agents;
using StreamingApi.Runs;
using StreamingApi.Runs.Memory;

namespace StreamingApi.Tests.Units;

public sealed class MemoryRunLogTests
{
    private readonly List<int> _readerCounts = [];

    private MemoryRunLog NewLog(int window = 1024, int backlog = 4096, bool hold = false) =>
        new(new RunRecord("r1", "writer", "text", "m", RunStatus.Running, null, DateTimeOffset.UnixEpoch, null, 0), window, backlog, hold,
            count => _readerCounts.Add(count), _ => { }, Codec);

    internal static readonly RunEventCodec Codec =
        new(Microsoft.Extensions.Options.Options.Create(new Microsoft.AspNetCore.Http.Json.JsonOptions()));

    private static RunRecord Ended(string status = RunStatus.Completed) =>
        new("r1", "writer", "text", "m", status, null, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, 0);

    [Fact]
    public async Task ReadersFromAnyPositionSeeEveryLaterEventInOrderUntilComplete()
    {
        var log = NewLog();
        await log.AppendAsync(new TextDelta("a"), default);
        await log.AppendAsync(new TextDelta("b"), default);

        var fromStart = Collect(log, 0);
        var afterFirst = Collect(log, 1);
        await log.AppendAsync(new TextDelta("c"), default);
        await log.CompleteAsync([new TextDelta("d")], Ended());

        Assert.Equal([(1L, "a"), (2, "b"), (3, "c"), (4, "d")], await fromStart);
        Assert.Equal([(2L, "b"), (3, "c"), (4, "d")], await afterFirst);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await log.AppendAsync(new TextDelta("late"), default));
        Assert.Equal(RunStatus.Completed, log.Record.Status);
        Assert.Equal(4, log.Record.LastSequence);
    }

    [Fact]
    public async Task AFinishedRunReplaysAndAPositionAtItsEndIsEnded()
    {
        var log = NewLog();
        await log.AppendAsync(new TextDelta("a"), default);
        await log.CompleteAsync([new TextDelta("b")], Ended());

        Assert.Equal([(2L, "b")], await Collect(log, 1));
        Assert.Equal(RunOpeningStatus.Ended, log.Open(2, default).Status);
        Assert.Equal([(1L, "a"), (2L, "b")], await Collect(log, 0));
    }

    [Fact]
    public async Task EventsFurtherBehindTheSlowestReaderThanTheWindowAreLetGo()
    {
        var log = NewLog(window: 8);
        var reader = log.Open(0, default).Reader!;
        for (var i = 1; i <= 500; i++)
        {
            await log.AppendAsync(new TextDelta(i.ToString()), default);
            Assert.True(reader.TryRead(out var entry));
            Assert.Equal(i, entry.Sequence);
        }

        Assert.InRange(log.HeldCount, 8, 8 + 32); // the window behind the reader, and the reader's batch
        Assert.Equal([(496L, "496"), (497, "497"), (498, "498"), (499, "499"), (500, "500")], await Collect(log, 495, take: 5));
        // Event 11 is no longer held: a reader after 10 starts from the snapshot of everything so far, then goes on live.
        await using var late = log.Open(10, default).Reader!;
        Assert.True(late.TryRead(out var first));
        var snapshot = Assert.IsType<RunSnapshot>(first.ToEvent());
        Assert.Equal(500, first.Sequence);
        Assert.Equal(500, snapshot.Sequence);
        Assert.Equal(string.Concat(Enumerable.Range(1, 500)), snapshot.Text);
        Assert.Equal(RunStatus.Running, snapshot.Status);
        Assert.False(late.TryRead(out _));
        await log.AppendAsync(new TextDelta("501"), default);
        Assert.True(await late.WaitToReadAsync());
        Assert.True(late.TryRead(out var next));
        Assert.Equal((501L, "501"), (next.Sequence, ((TextDelta)next.ToEvent()).Delta));
        await reader.DisposeAsync();
    }

    [Fact]
    public async Task EventsEveryReaderHasTakenComeBackFromTheReplayWindowAsTheyWere()
    {
        var log = NewLog(window: 64);
        var events = new List<AgentEvent>
        {
            new RunStarted("r1", "analyst", "m", DateTimeOffset.UnixEpoch),
            new ToolCallStarted("c1", "fetch", new Dictionary<string, object?> { ["year"] = 2024 }),
            new ToolCallCompleted("c1", "fetch", new { total = 12.5m, regions = new[] { "Europe" } }, 3) { Error = null },
            new TextDelta("naïve 🚀 \"quoted\"\n"),
            new RunError("tool-failed", "A tool failed", 502, "detail"),
        };
        await using (var first = log.Open(0, default).Reader!)
        {
            foreach (var @event in events) await log.AppendAsync(@event, default);
            for (var i = 0; i < events.Count; i++) Assert.True(first.TryRead(out _));
        }
        await log.AppendAsync(new TextDelta("after"), default); // every reader has taken the first five: they leave their records

        var back = new List<RunEvent>();
        await using (var reader = log.Open(0, default).Reader!)
        {
            while (back.Count < events.Count && reader.TryRead(out var entry)) back.Add(entry);
        }
        var json = (AgentEvent e) => System.Text.Json.JsonSerializer.Serialize(e, e.GetType(), System.Text.Json.JsonSerializerOptions.Web);
        Assert.Equal(events.Select(json), back.Select(e => json(e.ToEvent())));
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), back.Select(e => e.Sequence));
        Assert.IsType<TextDelta>(back[3].ToEvent()); // made again as its record
    }

    [Fact]
    public async Task AnEventsJsonIsMadeOnceAndEveryReaderLiveOrReplayedGetsTheSameBytes()
    {
        var log = NewLog(window: 64);
        await using var live = log.Open(0, default).Reader!;
        await using var other = log.Open(0, default).Reader!;
        var delta = new TextDelta("naïve 🚀");
        await log.AppendAsync(delta, out var made, default);

        Assert.True(live.TryRead(out var first));
        Assert.True(other.TryRead(out var second));
        Assert.Equal(Codec.Encode(delta), made.ToArray());
        Assert.Same(delta, first.ToEvent()); // a live reader has the record as appended, and its JSON beside it
        Assert.True(SameBytes(made, first.Json));
        Assert.True(SameBytes(made, second.Json));

        await using var back = log.Open(0, default).Reader!; // from the replay window: the JSON alone
        Assert.True(back.TryRead(out var replayed));
        Assert.Equal(AgentEventTypes.Text, replayed.Type);
        Assert.True(SameBytes(made, replayed.Json));
        Assert.Equal(delta, replayed.ToEvent()); // decoded only when asked for

        var end = log.Complete([new RunDone(RunStatus.Completed, null, 1, 7, 1, null)], Ended());
        Assert.True(live.TryRead(out var done));
        Assert.True(SameBytes(end[0].Json, done.Json));
    }

    /// <summary>The very same bytes, not a copy.</summary>
    private static bool SameBytes(ReadOnlyMemory<byte> a, ReadOnlyMemory<byte> b) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(a, out var x) && System.Runtime.InteropServices.MemoryMarshal.TryGetArray(b, out var y) &&
        ReferenceEquals(x.Array, y.Array) && x.Offset == y.Offset && x.Count == y.Count && x.Count > 0;

    [Fact]
    public async Task WithNoReaderOnlyTheLatestWindowIsHeld()
    {
        var log = NewLog(window: 16);
        for (var i = 0; i < 1000; i++) await log.AppendAsync(new TextDelta("x"), default);

        Assert.Equal(16, log.HeldCount);
        Assert.Equal([(985L, "x")], await Collect(log, 984, take: 1)); // held: replayed
        await using var fromStart = log.Open(0, default).Reader!; // not held: the snapshot
        Assert.True(fromStart.TryRead(out var entry));
        Assert.Equal(1000, Assert.IsType<RunSnapshot>(entry.ToEvent()).Text.Length);
    }

    [Fact]
    public async Task TheRunWaitsWhileItsReaderIsTheMaximumBacklogBehindAndGoesOnWhenItReads()
    {
        var log = NewLog(window: 4, backlog: 100);
        var reader = log.Open(0, default).Reader!;
        for (var i = 0; i < 100; i++) Assert.True(log.AppendAsync(new TextDelta("x"), default).IsCompleted);

        var waiting = log.AppendAsync(new TextDelta("101st"), default).AsTask();
        Assert.False(waiting.IsCompleted); // 101 events not taken: the writer waits, as for a full socket
        Assert.InRange(log.HeldCount, 101, 101);

        for (var i = 0; i < 40; i++) Assert.True(reader.TryRead(out _));
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        await reader.DisposeAsync();
        Assert.True(log.AppendAsync(new TextDelta("no reader, no wait"), default).IsCompleted);
    }

    [Fact]
    public async Task AWaitingWriterIsReleasedByItsCancellation()
    {
        var log = NewLog(backlog: 10);
        await using var reader = log.Open(0, default).Reader!;
        for (var i = 0; i < 10; i++) await log.AppendAsync(new TextDelta("x"), default);
        using var stop = new CancellationTokenSource();

        var waiting = log.AppendAsync(new TextDelta("x"), stop.Token).AsTask();
        Assert.False(waiting.IsCompleted);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        await log.CompleteAsync([new TextDelta("done")], Ended(RunStatus.Cancelled)); // the last events never wait
    }

    [Fact]
    public async Task ALeavingReadersPlaceIsHeldForItsReturnAndItsCountIsReported()
    {
        var log = NewLog(window: 4, backlog: 50, hold: true);
        var first = log.Open(0, default).Reader!;
        for (var i = 1; i <= 20; i++) await log.AppendAsync(new TextDelta(i.ToString()), default);
        for (var i = 1; i <= 10; i++) Assert.True(first.TryRead(out _));
        await first.DisposeAsync(); // delivered 10; its batch had taken more

        for (var i = 21; i <= 60; i++) await log.AppendAsync(new TextDelta(i.ToString()), default);
        Assert.False(log.AppendAsync(new TextDelta("61"), default).IsCompleted); // held place: the run waits for it

        var back = await Collect(log, 8, take: 53);
        Assert.Equal(Enumerable.Range(9, 53).Select(i => (long)i), back.Select(e => e.Item1));
        Assert.Equal([1, 0, 1, 0], _readerCounts);
    }

    [Fact]
    public async Task AReaderThatLeavesACompletedRunTellsItsOwnerNothing()
    {
        var log = NewLog(hold: true);
        var reader = log.Open(0, default).Reader!;
        await log.AppendAsync(new TextDelta("a"), default);
        await log.CompleteAsync([new TextDelta("done")], Ended());
        Assert.True(reader.TryRead(out _));
        Assert.True(reader.TryRead(out var last));
        Assert.Equal("done", Assert.IsType<TextDelta>(last.ToEvent()).Delta);

        // The stream ends after the run's last event: its run has ended, so there is no grace to start for it.
        await reader.DisposeAsync();
        Assert.Equal([1], _readerCounts);
        Assert.Equal([(1L, "a"), (2L, "done")], await Collect(log, 0)); // and the run is still read in full
    }

    [Fact]
    public async Task AWaitingReaderIsWokenByInterruptWithNothingToRead()
    {
        var log = NewLog();
        await using var reader = log.Open(0, default).Reader!;
        var wait = reader.WaitToReadAsync().AsTask();
        Assert.False(wait.IsCompleted);

        reader.Interrupt();
        Assert.True(await wait.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(reader.TryRead(out _));
    }

    [Fact]
    public async Task AReaderWhoseClientLeftStopsWaitingWithoutAnExceptionAndItsNextWaitThrows()
    {
        var log = NewLog();
        using var gone = new CancellationTokenSource();
        await using var reader = log.Open(0, gone.Token).Reader!;
        var wait = reader.WaitToReadAsync().AsTask();

        await gone.CancelAsync();
        Assert.True(await wait.WaitAsync(TimeSpan.FromSeconds(10))); // woken, as by an interrupt: its owner sees its token
        Assert.False(reader.TryRead(out _));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reader.WaitToReadAsync().AsTask()); // an owner that does not look
    }

    [Fact]
    public async Task AFinishedRunReadFromAPositionNoLongerHeldGivesItsSnapshotThenItsLastEventsEvenWithNoWindow()
    {
        var log = NewLog(window: 0);
        await log.AppendAsync(new RunStarted("r1", "writer", "m", DateTimeOffset.UnixEpoch), default);
        for (var i = 0; i < 100; i++) await log.AppendAsync(new TextDelta($"{i} "), default);
        var error = new RunError("tool-failed", "A tool failed", 502, "detail");
        var done = new RunDone(RunStatus.Failed, "tool-failed", 100, 290, 5, null);
        await log.CompleteAsync([error, done], Ended(RunStatus.Failed));

        var read = new List<RunEvent>();
        await using (var reader = log.Open(10, default).Reader!)
        {
            await foreach (var entry in reader.ReadAllAsync()) read.Add(entry);
        }

        Assert.Equal([101L, 102, 103], read.Select(e => e.Sequence));
        var snapshot = Assert.IsType<RunSnapshot>(read[0].ToEvent());
        Assert.Equal(RunStatus.Running, snapshot.Status); // the run's end comes as its own events, after the snapshot
        Assert.Null(snapshot.Error);
        Assert.Equal(string.Concat(Enumerable.Range(0, 100).Select(i => $"{i} ")), snapshot.Text);
        Assert.Equal("writer", snapshot.Run!.Agent);
        Assert.Equal(error, read[1].ToEvent());
        Assert.Equal(done, read[2].ToEvent());

        var output = log.Output; // the whole answer, its end included
        Assert.Equal(103, output.Sequence);
        Assert.Equal((RunStatus.Failed, "tool-failed"), (output.Status, output.Reason));
        Assert.Equal(error, output.Error);
        Assert.Equal(snapshot.Text, output.Text);
        Assert.Equal([(103L, "done")], [.. (await CollectAny(log, 102)).Select(e => (e.Sequence, e.ToEvent().EventType))]);
    }

    private static async Task<List<RunEvent>> CollectAny(MemoryRunLog log, long after)
    {
        var items = new List<RunEvent>();
        await using var reader = log.Open(after, default).Reader!;
        await foreach (var entry in reader.ReadAllAsync()) items.Add(entry);
        return items;
    }

    private static async Task<List<(long, string)>> Collect(MemoryRunLog log, long after, int take = int.MaxValue)
    {
        var items = new List<(long, string)>();
        await using var reader = log.Open(after, default).Reader!;
        await foreach (var entry in reader.ReadAllAsync())
        {
            items.Add((entry.Sequence, ((TextDelta)entry.ToEvent()).Delta));
            if (items.Count == take) break;
        }
        return items;
    }
}

public sealed class RunEventCodecTests
{
    [Fact]
    public void EveryEventTypeHasARecordToBeReadBackAs() =>
        Assert.Equal(StreamingApi.Agents.AgentEventTypes.All.Order(), StreamingApi.Runs.RunEventCodec.Types.Keys.Order());
}
