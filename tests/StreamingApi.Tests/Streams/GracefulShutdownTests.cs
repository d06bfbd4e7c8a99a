using System.Net;
using System.Text.Json;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Streams;

/// <summary>SIGTERM to the real program: not ready, no new runs, running streams drain, the rest end as server-stopping.</summary>
public sealed class GracefulShutdownTests
{
    [Fact]
    public async Task OnSigtermStreamsDrainNewRunsAreRefusedAndWhatIsLeftEndsAsServerStopping()
    {
        await using var program = ProgramProcess.Start(new Dictionary<string, string>
        {
            ["OfflineModel__TokensPerSecond"] = "150",
            ["OfflineModel__FirstTokenDelayMs"] = "0",
            ["Streaming__DrainSeconds"] = "6",
        });
        using var client = new HttpClient { BaseAddress = await program.WaitForAddressAsync(), Timeout = TimeSpan.FromSeconds(60) };

        // A short answer (about 260 tokens, under 2 s), which finishes within the drain, and a long essay, which does not.
        using var shortResponse = await client.OpenAsync("/stream/text?prompt=Explain%20ports");
        using var longResponse = await client.OpenAsync("/stream/text?prompt=Write%20a%20long%20essay%20about%20canals");
        await using var shortFrames = shortResponse.ReadFramesAsync().GetAsyncEnumerator();
        await using var longFrames = longResponse.ReadFramesAsync().GetAsyncEnumerator();
        Assert.True(await shortFrames.MoveNextAsync() && await longFrames.MoveNextAsync());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);

        program.Terminate();
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

        var shortDone = await LastAsync(shortFrames);
        var longDone = await LastAsync(longFrames);
        Assert.Equal(("done", "completed"), (shortDone.Type, shortDone["status"].GetString()));
        Assert.Equal(("done", "cancelled", "server-stopping"), (longDone.Type, longDone["status"].GetString(), longDone["reason"].GetString()));
        Assert.InRange(longDone["elapsedMs"].GetInt64(), 5_500, 60_000); // it had the drain period

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
