using System.Net;
using Microsoft.AspNetCore.Http;
using StreamingApi.Tests.Infrastructure;
using StreamingApi.Tests.Upstreams;

namespace StreamingApi.Tests.Streams;

/// <summary>
/// A stop that lands as a run finishes: an OpenAI-compatible upstream (loopback) sends its answer to its finish and then
/// holds the stream open before its usage and <c>[DONE]</c>, as a real server may. A stop then comes too late: the run
/// already has its whole answer, and ends as <c>completed</c> with every event. A stop that lands before the finish still
/// interrupts: the run ends as <c>cancelled</c>.
/// </summary>
public sealed class LateStopTests
{
    private const string Head = """data: {"id":"chatcmpl-late","object":"chat.completion.chunk","created":1764000000,"model":"gpt-4o-mini","choices":""";

    [Fact]
    public async Task AStopAfterTheModelsFinishIsTooLateAndTheRunCompletesWithItsWholeAnswer()
    {
        var (frames, done) = await StopWhileTheUpstreamHoldsAsync(holdBeforeFinish: false);

        Assert.Equal("completed", done["status"].GetString());
        Assert.Equal("Hello world.", frames.Text());
        Assert.Equal(33, done["usage"].GetProperty("totalTokens").GetInt32()); // the usage that came after the stop is there too
    }

    [Fact]
    public async Task AStopBeforeTheModelsFinishStillEndsTheRunAsCancelled()
    {
        var (frames, done) = await StopWhileTheUpstreamHoldsAsync(holdBeforeFinish: true);

        Assert.Equal(("cancelled", "stopped"), (done["status"].GetString(), done["reason"].GetString()));
        Assert.Equal("Hello", frames.Text());
    }

    /// <summary>
    /// Reads the run until the last text the upstream sent before it holds, stops the run through the API, then lets the
    /// upstream go on; returns every frame and the <c>done</c>.
    /// </summary>
    private static async Task<(List<Frame> Frames, Frame Done)> StopWhileTheUpstreamHoldsAsync(bool holdBeforeFinish)
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await LoopbackUpstream.StartAsync(async (_, http) =>
        {
            http.Response.ContentType = "text/event-stream";
            await SendAsync(http, Head + """[{"index":0,"delta":{"role":"assistant","content":"Hello"},"finish_reason":null}]}""");
            if (holdBeforeFinish) await Hold(http, release);
            // The finish carries the last text, so that its frame says the run has seen the finish.
            await SendAsync(http, Head + """[{"index":0,"delta":{"content":" world."},"finish_reason":"stop"}]}""");
            if (!holdBeforeFinish) await Hold(http, release);
            await SendAsync(http, Head + """[],"usage":{"prompt_tokens":14,"completion_tokens":19,"total_tokens":33}}""");
            await SendAsync(http, "data: [DONE]");
        });
        await using var app = ModelApplications.OpenAI(upstream);
        var client = app.CreateSocketClient();

        using var response = await client.OpenAsync("/stream/text?prompt=hello");
        await using var reading = response.ReadFramesAsync().GetAsyncEnumerator();
        var frames = new List<Frame>();
        var last = holdBeforeFinish ? "Hello" : " world.";
        while (await reading.MoveNextAsync())
        {
            frames.Add(reading.Current);
            if (reading.Current.Type == "text" && reading.Current["delta"].GetString() == last) break;
        }
        using (var stop = await client.PostAsync($"/runs/{frames[0].RunId}/cancel", null))
            Assert.Equal(HttpStatusCode.Accepted, stop.StatusCode);
        release.TrySetResult();
        while (await reading.MoveNextAsync()) frames.Add(reading.Current);
        await app.WaitForNoActiveRunsAsync();

        Assert.Equal("done", frames[^1].Type);
        return (frames, frames[^1]);
    }

    private static async Task SendAsync(HttpContext http, string @event)
    {
        await http.Response.WriteAsync(@event + "\n\n");
        await http.Response.Body.FlushAsync();
    }

    /// <summary>Holds the answer until the test lets it go on, or our client aborts it.</summary>
    private static Task Hold(HttpContext http, TaskCompletionSource release) =>
        release.Task.WaitAsync(http.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
}
