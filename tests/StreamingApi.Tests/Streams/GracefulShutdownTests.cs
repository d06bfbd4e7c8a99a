using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Streams;

/// <summary>A host stop (SIGTERM): not ready, no new runs, running streams drain, the rest end as server-stopping.</summary>
public sealed class GracefulShutdownTests
{
    private static readonly TimeSpan Drain = TimeSpan.FromSeconds(6);

    [Fact]
    public async Task OnStopStreamsDrainNewRunsAreRefusedAndWhatIsLeftEndsAsServerStoppingWhenTheDrainRunsOut()
    {
        // The offline model's pace and the drain both run on a fake clock that only the test moves.
        var time = new FakeTimeProvider();
        var app = new StreamingApiApplication()
            .With("OfflineModel:TokensPerSecond", "150")
            .With("Streaming:DrainSeconds", Drain.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithServices(services => services.AddSingleton<TimeProvider>(time));
        var stopped = Task.CompletedTask;
        try
        {
            using var client = new HttpClient { BaseAddress = app.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

            // A short answer (about 260 tokens, under 2 s), which finishes within the drain, and a long essay, which does not.
            using var shortResponse = await client.OpenAsync("/stream/text?prompt=Explain%20ports");
            using var longResponse = await client.OpenAsync("/stream/text?prompt=Write%20a%20long%20essay%20about%20canals");
            await using var shortFrames = shortResponse.ReadFramesAsync().GetAsyncEnumerator();
            await using var longFrames = longResponse.ReadFramesAsync().GetAsyncEnumerator();
            Assert.True(await shortFrames.MoveNextAsync() && await longFrames.MoveNextAsync());
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);

            stopped = app.DisposeAsync().AsTask(); // the host stops as on SIGTERM; the web server listens through the drain
            await Eventually.TrueAsync(async () => (await client.GetAsync("/health/ready")).StatusCode == HttpStatusCode.ServiceUnavailable,
                "the server reports not ready");
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
            using var refused = await client.GetAsync("/stream/text?prompt=hello");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.NotNull(refused.Headers.RetryAfter);
            using var refusedRun = await client.PostAsync("/runs", new StringContent("""{"agent":"writer","prompt":"hi"}""", System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refusedRun.StatusCode);

            // A millisecond before the drain runs out the short answer has finished and the essay still runs; then it is stopped.
            time.Advance(Drain - TimeSpan.FromMilliseconds(1));
            var shortDone = await LastAsync(shortFrames);
            Assert.Equal(("done", "completed"), (shortDone.Type, shortDone["status"].GetString()));
            // The done frame leaves before the run is taken off the host's list, so wait for that (the clock stays still).
            await Eventually.TrueAsync(() => app.Runs.ActiveCount == 1, "only the essay is still running");

            time.Advance(TimeSpan.FromMilliseconds(1));
            var longDone = await LastAsync(longFrames);
            Assert.Equal(("done", "cancelled", "server-stopping"), (longDone.Type, longDone["status"].GetString(), longDone["reason"].GetString()));
            Assert.Equal((long)Drain.TotalMilliseconds, longDone["elapsedMs"].GetInt64());
            await stopped.WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            if (stopped.IsCompleted) await app.DisposeAsync();
        }
    }

    [Fact]
    public async Task OnSigtermTheRealProgramEndsItsStreamsAsServerStoppingAndExitsWithZero()
    {
        await using var program = ProgramProcess.Start(new Dictionary<string, string>
        {
            ["OfflineModel__TokensPerSecond"] = "150",
            ["OfflineModel__FirstTokenDelayMs"] = "0",
            ["Streaming__DrainSeconds"] = "0",
        });
        using var client = new HttpClient { BaseAddress = await program.WaitForAddressAsync(), Timeout = TimeSpan.FromSeconds(60) };
        using var response = await client.OpenAsync("/stream/text?prompt=Write%20a%20long%20essay%20about%20canals");
        await using var frames = response.ReadFramesAsync().GetAsyncEnumerator();
        Assert.True(await frames.MoveNextAsync());

        program.Terminate();
        var done = await LastAsync(frames);

        Assert.Equal(("done", "cancelled", "server-stopping"), (done.Type, done["status"].GetString(), done["reason"].GetString()));
        Assert.Equal(0, await program.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("server-stopping", program.Output);
    }

    private static async Task<Frame> LastAsync(IAsyncEnumerator<Frame> frames)
    {
        var last = frames.Current;
        while (await frames.MoveNextAsync()) last = frames.Current;
        return last;
    }
}
