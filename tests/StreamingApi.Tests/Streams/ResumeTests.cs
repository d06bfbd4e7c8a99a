using System.Net;
using System.Text.Json;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Streams;

/// <summary>A client whose connection breaks comes back with Last-Event-ID and gets the rest of the same run.</summary>
public sealed class ResumeTests
{
    private const string Analysis = "/stream/analysis?prompt=Analyze%20our%202024%20sales";

    [Fact]
    public async Task TwoHundredRandomDropsEachEndWithExactlyTheRunsEventsNothingLostNothingTwice()
    {
        // Paced, so that many drops come while the run is still going and the rest is live; a long grace, so none is
        // cancelled; a finished run held whole, so that each client's events can be checked against the whole record.
        await using var app = new StreamingApiApplication()
            .With("OfflineModel:TokensPerSecond", "2000")
            .With("Runs:DetachGraceSeconds", "60")
            .With("Runs:ReplayWindow", "4096");
        var client = app.CreateSocketClient();
        var reference = await client.GetFramesAsync(Analysis);
        Assert.True(reference.Count > 100, $"an analysis has many events; this one had {reference.Count}");

        var random = new Random(2611);
        var drops = Enumerable.Range(0, 200).Select(_ => random.Next(1, reference.Count)).ToList();
        var resumedLive = 0;
        await Parallel.ForEachAsync(drops, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (k, _) =>
        {
            var frames = await client.ReadThenDropAsync(Analysis, k);
            Assert.Equal(k, frames.Count);
            var runId = frames[0].RunId;
            if ((await client.GetRunAsync(runId)).GetProperty("status").GetString() == "running") Interlocked.Increment(ref resumedLive);

            frames.AddRange(await client.ResumeFramesAsync(Analysis, frames[^1].Id!));

            Assert.Equal(Enumerable.Range(1, frames.Count).Select(i => (long)i), frames.Select(f => f.Sequence));
            Assert.All(frames, f => Assert.Equal(runId, f.RunId));
            Assert.Equal("done", frames[^1].Type);
            Assert.Equal("completed", frames[^1]["status"].GetString());
            // Exactly what the server recorded for the run, frame by frame...
            var recorded = await client.GetFramesAsync($"/runs/{runId}/events?after=0");
            Assert.Equal(recorded.Select(f => (f.Id, f.Type, f.Data)), frames.Select(f => (f.Id, f.Type, f.Data)));
            // ...and what an uninterrupted run of the same prompt says.
            Assert.Equal(reference.Text(), frames.Text());
            Assert.Equal(reference.Single(f => f.Type == "result")["output"].GetRawText(), frames.Single(f => f.Type == "result")["output"].GetRawText());
            Assert.Equal(reference.Select(f => f.Type).Order(), frames.Select(f => f.Type).Order());
        });
        Assert.True(resumedLive > 0, "some drops should have come while their run was still going");
        await app.WaitForNoActiveRunsAsync();
    }

    [Fact]
    public async Task ASecondClientResumesWhileTheFirstIsStillReadingAndBothSeeTheSameEvents()
    {
        // The window holds the whole run: the second client's position stays held however long its request takes.
        await using var app = new StreamingApiApplication().With("OfflineModel:TokensPerSecond", "200").With("Runs:ReplayWindow", "100000");
        var client = app.CreateSocketClient();
        using var first = await client.OpenAsync("/stream/text?prompt=Explain%20tides");
        await using var firstFrames = first.ReadFramesAsync().GetAsyncEnumerator();
        var seen = new List<Frame>();
        while (seen.Count < 10 && await firstFrames.MoveNextAsync()) seen.Add(firstFrames.Current);

        var second = await client.ResumeFramesAsync("/stream/text?prompt=Explain%20tides", seen[4].Id!);
        while (await firstFrames.MoveNextAsync()) seen.Add(firstFrames.Current);

        Assert.Equal(6, second[0].Sequence);
        Assert.Equal(seen.Skip(5).Select(f => (f.Id, f.Data)), second.Select(f => (f.Id, f.Data)));
        Assert.Equal("completed", seen[^1]["status"].GetString());
        await app.WaitForNoActiveRunsAsync(); // a run's end is logged before it stops counting as active
        Assert.Single(app.Logs.Events, LogCapture.IsRunEnded);
    }

    [Fact]
    public async Task AFinishedRunIsReplayedAfterThePositionAndAtItsEndTheAnswerIsNoContent()
    {
        await using var app = new StreamingApiApplication();
        var client = app.CreateClient();
        var frames = await client.GetFramesAsync(Analysis);

        var rest = await client.ResumeFramesAsync(Analysis, frames[^41].Id!); // within the replay window (64): the very frames
        Assert.Equal(frames.TakeLast(40).Select(f => (f.Id, f.Type, f.Data)), rest.Select(f => (f.Id, f.Type, f.Data)));
        var fromFar = await client.ResumeFramesAsync(Analysis, frames[99].Id!); // before it: the snapshot, then the held frames
        Assert.Equal("snapshot", fromFar[0].Type);
        Assert.Equal(frames.SkipWhile(f => f.Sequence <= fromFar[0].Sequence).Select(f => (f.Id, f.Type, f.Data)),
            fromFar.Skip(1).Select(f => (f.Id, f.Type, f.Data)));
        Answers.Same(frames.Fold().Json(), fromFar.Fold().Json());

        using var atTheEnd = await client.ReconnectAsync(Analysis, frames[^1].Id!);
        Assert.Equal(HttpStatusCode.NoContent, atTheEnd.StatusCode);
        await app.WaitForNoActiveRunsAsync();
        Assert.Single(app.Logs.Events, LogCapture.IsRunEnded); // no new run was started
    }

    [Fact]
    public async Task AnUnknownRunIsNoContentNeverANewRun()
    {
        await using var app = new StreamingApiApplication();
        using var response = await app.CreateClient().ReconnectAsync("/stream/text?prompt=hello", "0123456789abcdef:7");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(0, app.Runs.ActiveCount);
        Assert.DoesNotContain(app.Logs.Events, LogCapture.IsRunEnded);
    }

    [Fact]
    public async Task TheFirstFrameOfEveryStreamCarriesRetry()
    {
        await using var app = new StreamingApiApplication().With("Streaming:RetryMs", "2500").With("Runs:ReplayWindow", "4096");
        var client = app.CreateClient();

        using var fresh = await client.OpenAsync("/stream/text?prompt=hi");
        var raw = await fresh.Content.ReadAsStringAsync();
        Assert.StartsWith("event: run\n", raw);
        Assert.Contains("\nretry: 2500\n\n", raw[..raw.IndexOf("\n\n", StringComparison.Ordinal)] + "\n\n");
        Assert.Equal(1, raw.Split("retry:").Length - 1);

        var runId = raw[(raw.IndexOf("id: ", StringComparison.Ordinal) + 4)..raw.IndexOf(':', raw.IndexOf("id: ", StringComparison.Ordinal) + 4)];
        using var resumed = await client.ReconnectAsync("/stream/text?prompt=hi", $"{runId}:2");
        var again = await resumed.Content.ReadAsStringAsync();
        Assert.Contains($"\nid: {runId}:3\n", again[..again.IndexOf("\n\n", StringComparison.Ordinal)] + "\n"); // the frame after 2
        Assert.Contains("\nretry: 2500\n", again[..again.IndexOf("\n\n", StringComparison.Ordinal)] + "\n");
    }

}
