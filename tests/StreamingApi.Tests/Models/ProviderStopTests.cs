using Microsoft.AspNetCore.Http;
using Serilog.Events;
using StreamingApi.Tests.Infrastructure;
using StreamingApi.Tests.Upstreams;

namespace StreamingApi.Tests.Models;

/// <summary>
/// A run stopped while it streams from a real provider's wire (Gemini, an OpenAI-compatible server, each a loopback
/// upstream that holds its answer open, begun or not): the upstream request is aborted, the run ends as
/// <c>cancelled</c>, nothing is logged as an error, and no exception is thrown through the service's own code on the
/// way. Exceptions are counted process-wide, first chance, as <see cref="Streams.AbandonedStreamTests"/> counts them,
/// so these tests run alone. A stop can land while the run's thread is still inside <c>HttpClient.SendAsync</c>'s
/// synchronous part: the framework then throws and handles its own cancellation above our frames, and hands us a
/// cancelled task; those are its exceptions, not counted (one that reached our code would be, where we await it).
/// </summary>
[Collection(ProcessMetricsCollection.Name)]
public sealed class ProviderStopTests
{
    /// <summary>The provider, and whether its answer has begun when the run stops (else the upstream has not even sent its headers).</summary>
    public static TheoryData<string, bool> Providers => new() { { "gemini", true }, { "gemini", false }, { "openai", true }, { "openai", false } };

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task ARunWhoseClientLeavesEndsQuietlyAndAbortsTheUpstream(string provider, bool answering)
    {
        await using var upstream = await HeldUpstream.StartAsync(provider, answering);
        await using var app = Application(provider, upstream.Loopback);
        var client = app.CreateSocketClient();
        await WarmAsync(app, client, upstream);

        using var thrown = new FirstChanceExceptions(withinFramework: "System.Net.Http.");
        string runId;
        using (var response = await client.OpenAsync("/stream/text?prompt=hold"))
        {
            var frames = await response.ReadFramesAsync().Take(answering ? 2 : 1).ToListAsync();
            runId = frames[0].RunId;
            await upstream.WaitingAsync(); // the run waits on the held upstream: now the client leaves
        }
        var ended = await app.Logs.WaitForAsync(e => LogCapture.IsRunEnded(e) && LogCapture.Scalar(e, "RunId") == runId);
        await upstream.Aborted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await app.WaitForNoActiveRunsAsync();

        Assert.Equal(("cancelled", "client-disconnected"), (LogCapture.Scalar(ended, "Status"), LogCapture.Scalar(ended, "Reason")));
        Assert.Empty(app.Logs.Events.Where(e => e.Level >= LogEventLevel.Error).Select(e => e.RenderMessage()));
        Assert.True(thrown.Count == 0, thrown.Describe());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task ARunStoppedThroughTheApiEndsAsStoppedQuicklyAndQuietly(string provider, bool answering)
    {
        await using var upstream = await HeldUpstream.StartAsync(provider, answering);
        await using var app = Application(provider, upstream.Loopback);
        var client = app.CreateSocketClient();
        await WarmAsync(app, client, upstream);

        using var response = await client.OpenAsync("/stream/text?prompt=hold");
        await using var frames = response.ReadFramesAsync().GetAsyncEnumerator();
        Assert.True(await frames.MoveNextAsync()); // run
        var runId = frames.Current.RunId;
        if (answering)
        {
            Assert.True(await frames.MoveNextAsync()); // the first text: the run now waits on the held upstream
            Assert.Equal("text", frames.Current.Type);
        }
        else
        {
            await upstream.WaitingAsync(); // the run waits for the upstream's headers
        }

        using var thrown = new FirstChanceExceptions(withinFramework: "System.Net.Http.");
        using var stop = await client.PostAsync($"/runs/{runId}/cancel", null);
        var rest = new List<Frame>();
        while (await frames.MoveNextAsync()) rest.Add(frames.Current);
        await upstream.Aborted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await app.WaitForNoActiveRunsAsync();

        Assert.True(stop.IsSuccessStatusCode, $"stop answered {(int)stop.StatusCode}");
        Assert.Equal(["done"], rest.Shape());
        Assert.Equal(("cancelled", "stopped"), (rest[0]["status"].GetString(), rest[0]["reason"].GetString()));
        Assert.Empty(app.Logs.Events.Where(e => e.Level >= LogEventLevel.Error).Select(e => e.RenderMessage()));
        Assert.True(thrown.Count == 0, thrown.Describe());
    }

    /// <summary>A first run that completes: what a run uses is loaded and compiled before anything is counted.</summary>
    private static async Task WarmAsync(StreamingApiApplication app, HttpClient client, HeldUpstream upstream)
    {
        var warm = await client.GetFramesAsync("/stream/text?prompt=warm");
        Assert.Equal("completed", warm[^1]["status"].GetString());
        await app.WaitForNoActiveRunsAsync();
        Assert.False(upstream.Aborted.Task.IsCompleted);
    }

    private static StreamingApiApplication Application(string provider, LoopbackUpstream upstream) =>
        provider == "gemini" ? ModelApplications.Gemini(upstream) : ModelApplications.OpenAI(upstream);

    /// <summary>
    /// Answers a prompt "warm" with a whole capture, and any other with the capture's events up to its first text (or with
    /// nothing), then holds the answer open until our client aborts the request.
    /// </summary>
    private sealed class HeldUpstream : IAsyncDisposable
    {
        public required LoopbackUpstream Loopback { get; init; }

        public TaskCompletionSource Aborted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>A held request arrived.</summary>
        public TaskCompletionSource Asked { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>The held request arrived.</summary>
        public Task WaitingAsync() => Asked.Task.WaitAsync(TimeSpan.FromSeconds(30));

        /// <param name="answering">Whether the held answer begins (its headers and first text) or nothing at all is sent.</param>
        public static async Task<HeldUpstream> StartAsync(string provider, bool answering)
        {
            var capture = provider == "gemini" ? "gemini/text.sse" : "openai/text.sse";
            var first = provider == "gemini" ? 1 : 2; // OpenAI's first event only says who speaks: the text comes in its second
            HeldUpstream? held = null;
            var loopback = await LoopbackUpstream.StartAsync(async (request, http) =>
            {
                if (request.Body.Contains("warm"))
                {
                    await Captures.ReplaySseAsync(http, capture);
                    return;
                }
                held!.Asked.TrySetResult();
                if (answering)
                {
                    http.Response.ContentType = "text/event-stream";
                    foreach (var @event in Captures.Read(capture).Replace("\r\n", "\n").Split("\n\n").Take(first))
                        await http.Response.WriteAsync(@event.Trim('\n') + "\r\n\r\n");
                    await http.Response.Body.FlushAsync();
                }
                await Task.Delay(Timeout.Infinite, http.RequestAborted).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                held!.Aborted.TrySetResult();
            });
            held = new HeldUpstream { Loopback = loopback };
            return held;
        }

        public ValueTask DisposeAsync() => Loopback.DisposeAsync();
    }
}
