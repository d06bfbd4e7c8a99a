using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Streams;

/// <summary>
/// A run's answer can always be read back while the run is retained: a reader whose position is no longer held starts
/// from the run's snapshot, and what it then has is exactly what a reader that saw every event has.
/// </summary>
public sealed class SnapshotTests
{
    private const string Essay = "Write a long essay about rivers";

    [Fact]
    public async Task AFinishedLongRunIsReadBackWholeFromItsStartFromAfterTenAndFromAReconnect()
    {
        await using var app = new StreamingApiApplication(); // Runs:ReplayWindow as shipped: 64
        var client = app.CreateClient();
        // About 5,000 events (text, and progress every 2 chunks), read by a client from the first to the last.
        var uninterrupted = await client.GetFramesAsync($"/stream/progress?prompt={Uri.EscapeDataString(Essay)}&every=2", timeoutSeconds: 120);
        Assert.True(uninterrupted.Count > 4500, $"a long essay has thousands of events; this one had {uninterrupted.Count}");
        Assert.Equal(Enumerable.Range(1, uninterrupted.Count).Select(i => (long)i), uninterrupted.Select(f => f.Sequence));
        Assert.Equal("completed", uninterrupted[^1]["status"].GetString());
        var runId = uninterrupted[0].RunId;
        var answer = uninterrupted.Fold().Json();

        var fromStart = await client.GetFramesAsync($"/runs/{runId}/events");
        var afterTen = await client.GetFramesAsync($"/runs/{runId}/events?after=10");
        var reconnected = await client.ResumeFramesAsync($"/runs/{runId}/events", $"{runId}:10");
        var reconnectedOnAStream = await client.ResumeFramesAsync($"/stream/progress?prompt={Uri.EscapeDataString(Essay)}&every=2", $"{runId}:10");

        foreach (var frames in new[] { fromStart, afterTen, reconnected, reconnectedOnAStream })
        {
            Assert.Equal("snapshot", frames[0].Type);
            Assert.Equal("running", frames[0]["status"].GetString()); // the run's end comes after it, as its own events
            Assert.NotEqual(JsonValueKind.Null, frames[0]["progress"].ValueKind);
            Assert.True(frames.Count < 100, $"the snapshot stands for the events no longer held; {frames.Count} frames came");
            Assert.Equal(Enumerable.Range(0, frames.Count).Select(i => frames[0].Sequence + i), frames.Select(f => f.Sequence));
            Assert.Equal(uninterrupted[^1].Sequence, frames[^1].Sequence);
            Assert.Equal("done", frames[^1].Type);
            Assert.Equal(uninterrupted.Text(), frames[0]["text"].GetString() + frames.Skip(1).Text());
            Answers.Same(answer, frames.Fold().Json());
        }
        Answers.Same(answer, (await client.GetRunAsync(runId)).GetProperty("output").AsNode());
    }

    [Fact]
    public async Task AFinishedBackgroundRunsAnswerIsOneRequestAndItsEventsAreReadableFromTheStart()
    {
        await using var app = new StreamingApiApplication();
        var client = app.CreateClient();
        var streamed = await client.GetFramesAsync($"/stream/text?prompt={Uri.EscapeDataString(Essay)}"); // the same prompt, read live
        var runId = await StartBackgroundRunAsync(client, Essay);
        await Eventually.TrueAsync(async () => (await client.GetRunAsync(runId)).GetProperty("status").GetString() != "running",
            "the background run has finished", TimeSpan.FromSeconds(60));

        var output = (await client.GetRunAsync(runId)).GetProperty("output");
        Assert.Equal("completed", output.GetProperty("status").GetString());
        Assert.Equal(streamed.Text(), output.GetProperty("text").GetString());

        var events = await client.GetFramesAsync($"/runs/{runId}/events"); // no 410: the snapshot, then the run's end
        Assert.Equal(["snapshot", "done"], events.Select(f => f.Type));
        Answers.Same(output.AsNode(), events.Fold().Json());
    }

    [Theory]
    [InlineData("/stream/text?prompt=Explain%20tides", "completed")]
    [InlineData("/stream/analysis?prompt=Analyze%20our%202024%20sales", "completed")]
    [InlineData("/stream/flaky?prompt=Check%20stock%20in%20Europe&fail=true", "failed")]
    [InlineData("/stream/progress?prompt=Explain%20queues&every=5", "completed")]
    public async Task TheRunsOutputIsTheAnswerItsStreamGave(string url, string status)
    {
        await using var app = new StreamingApiApplication();
        var client = app.CreateClient();
        var frames = await client.GetFramesAsync(url);

        var output = (await client.GetRunAsync(frames[0].RunId)).GetProperty("output");

        Answers.Same(frames.Fold().Json(), output.AsNode());
        Assert.Equal(status, output.GetProperty("status").GetString());
        Assert.Equal(frames[^1].Sequence, output.GetProperty("sequence").GetInt64());
        Assert.Equal(frames.Text(), output.GetProperty("text").GetString());
        Assert.Equal(frames.Count(f => f.Type == "tool-call"), output.GetProperty("toolCalls").GetArrayLength());
        if (status == "failed")
        {
            Assert.Equal(frames.Single(f => f.Type == "error")["type"].GetString(), output.GetProperty("error").GetProperty("type").GetString());
            Assert.NotNull(output.GetProperty("toolCalls")[0].GetProperty("error").GetString());
        }
    }

    [Fact]
    public async Task ARunningRunsOutputGrowsWithItsAnswer()
    {
        await using var app = new StreamingApiApplication().With("OfflineModel:TokensPerSecond", "200");
        var client = app.CreateClient();
        var runId = await StartBackgroundRunAsync(client, "Explain tides");

        await Eventually.TrueAsync(async () =>
            (await client.GetRunAsync(runId)).GetProperty("output").GetProperty("text").GetString()!.Length > 20, "some text is in the output");
        var running = (await client.GetRunAsync(runId)).GetProperty("output");
        Assert.Equal("running", running.GetProperty("status").GetString());

        var frames = await client.GetFramesAsync($"/runs/{runId}/events");
        Assert.StartsWith(running.GetProperty("text").GetString()!, frames.AppliedText()); // from a snapshot once the window moved on
    }

    [Fact]
    public async Task AReaderThatAsksForEventsNoLongerHeldWhileTheRunGoesOnGetsTheSnapshotThenEveryLaterEventLive()
    {
        await using var app = new StreamingApiApplication().With("Runs:ReplayWindow", "16").With("OfflineModel:TokensPerSecond", "400");
        var client = app.CreateSocketClient();
        using var first = await client.OpenAsync($"/stream/text?prompt={Uri.EscapeDataString(Essay)}");
        await using var firstFrames = first.ReadFramesAsync().GetAsyncEnumerator();
        var seen = new List<Frame>();
        while (seen.Count < 100 && await firstFrames.MoveNextAsync()) seen.Add(firstFrames.Current);

        var late = await client.ResumeFramesAsync($"/stream/text?prompt={Uri.EscapeDataString(Essay)}", seen[4].Id!, timeoutSeconds: 120);
        while (await firstFrames.MoveNextAsync()) seen.Add(firstFrames.Current);

        Assert.Equal("snapshot", late[0].Type);
        Assert.InRange(late[0].Sequence, 100, seen[^1].Sequence - 1); // at least as far as the first reader had come
        Assert.Equal(seen.SkipWhile(f => f.Sequence <= late[0].Sequence).Select(f => (f.Id, f.Data)), late.Skip(1).Select(f => (f.Id, f.Data)));
        Answers.Same(seen.Fold().Json(), late.Fold().Json());
        Assert.Equal("completed", late[^1]["status"].GetString());
    }

    [Fact]
    public async Task AReconnectAfterEventsNoLongerHeldStartsFromTheSnapshotAndEndsWithDone()
    {
        await using var app = new StreamingApiApplication().With("Runs:ReplayWindow", "16");
        var client = app.CreateClient();
        var url = $"/stream/text?prompt={Uri.EscapeDataString(Essay)}";
        var frames = await client.GetFramesAsync(url);
        Assert.True(frames.Count > 1000);

        var resumed = await client.ResumeFramesAsync(url, frames[2].Id!);

        Assert.Equal("snapshot", resumed[0].Type);
        Assert.Equal(frames.Count - 1, resumed[0].Sequence); // everything but the run's done, which follows it
        Assert.Equal(["snapshot", "done"], resumed.Select(f => f.Type));
        Assert.Equal(frames.Text(), resumed[0]["text"].GetString());
        Assert.Equal("running", resumed[0]["status"].GetString()); // the run's end is its own event
        Answers.Same(frames.Fold().Json(), resumed.Fold().Json());

        var stillHeld = await client.ResumeFramesAsync(url, frames[^10].Id!); // a position still held is replayed as it was
        Assert.Equal(frames.TakeLast(9).Select(f => (f.Id, f.Data)), stillHeld.Select(f => (f.Id, f.Data)));
    }

    private static async Task<string> StartBackgroundRunAsync(HttpClient client, string prompt, int? every = null)
    {
        using var response = await client.PostAsJsonAsync("/runs", new { agent = "writer", prompt, every });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["runId"]!.GetValue<string>();
    }
}
