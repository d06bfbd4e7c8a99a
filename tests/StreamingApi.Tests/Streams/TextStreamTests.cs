using System.Net.Http.Json;
using System.Text.Json;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Streams;

public sealed class TextStreamTests
{
    [Fact]
    public async Task TextStreamStartsWithRunEndsWithDoneAndNumbersEveryFrame()
    {
        await using var app = new StreamingApiApplication();
        var frames = await app.CreateClient().GetFramesAsync("/stream/text?prompt=Explain%20server-sent%20events");

        // The offline model thinks first, then writes: reasoning frames, then the answer's text, nothing else.
        Assert.Equal(["run", "reasoning", "text", "done"], frames.Shape().Distinct());
        Assert.Equal(frames.FindLastIndex(f => f.Type == "reasoning") + 1, frames.FindIndex(f => f.Type == "text"));
        var runId = frames[0]["runId"].GetString();
        Assert.All(frames, f => Assert.Equal(runId, f.RunId));
        Assert.Equal(Enumerable.Range(1, frames.Count).Select(i => (long)i), frames.Select(f => f.Sequence));
        Assert.Equal("writer", frames[0]["agent"].GetString());
        Assert.Contains("offline", frames[0]["model"].GetString());

        var done = frames[^1];
        Assert.Equal("completed", done["status"].GetString());
        Assert.Equal(frames.Count(f => f.Type == "text"), done["chunks"].GetInt32());
        Assert.Equal(frames.Text().Length, done["chars"].GetInt64());
        Assert.True(done["usage"].GetProperty("outputTokens").GetInt64() > 0);
        Assert.Equal(frames.Count(f => f.Type == "reasoning"), done["usage"].GetProperty("reasoningTokens").GetInt64());
    }

    [Fact]
    public async Task TextStreamHasEventStreamHeadersWithoutCachingOrProxyBuffering()
    {
        await using var app = new StreamingApiApplication();
        using var response = await app.CreateClient().OpenAsync("/stream/text?prompt=hello");

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("no-cache", response.Headers.CacheControl?.ToString());
        Assert.Equal("no", response.Headers.GetValues("X-Accel-Buffering").Single());
        Assert.All(response.Content.Headers.ContentEncoding, encoding => Assert.Equal("identity", encoding));
        await response.ReadFramesAsync().ToListAsync();
    }

    [Fact]
    public async Task DeltasReassembleToTheSameMultiLineAnswerAsTheBlockingEndpoint()
    {
        await using var app = new StreamingApiApplication();
        var client = app.CreateClient();
        const string prompt = "Write about \"quotes\", emoji 🚀 and\r\nline breaks";

        var frames = await client.GetFramesAsync("/stream/text?prompt=" + Uri.EscapeDataString(prompt));
        using var blocking = await client.PostAsJsonAsync("/agent/text", new { prompt });
        var answer = await blocking.Content.ReadFromJsonAsync<JsonElement>();

        var streamed = frames.Text();
        Assert.Equal(answer.GetProperty("text").GetString(), streamed);
        Assert.Contains("\n\n## ", streamed);
        Assert.Contains("🚀", streamed);
        Assert.Contains("\"quotes\"", streamed);
        Assert.Contains(frames, f => f.Type == "text" && f["delta"].GetString()!.Contains('\n'));
        Assert.Equal("completed", answer.GetProperty("status").GetString());
    }

    [Fact]
    public async Task PostWithJsonBodyStreamsLikeGet()
    {
        await using var app = new StreamingApiApplication();
        var client = app.CreateClient();

        using var response = await client.OpenPostAsync("/stream/text", """{"prompt":"Explain caching"}""");
        var posted = await response.ReadFramesAsync().ToListAsync();
        var got = await client.GetFramesAsync("/stream/text?prompt=Explain%20caching");

        Assert.Equal(got.Text(), posted.Text());
        Assert.Equal("done", posted[^1].Type);
    }

    [Fact]
    public async Task FirstFramesArriveWhileTheModelIsStillWriting()
    {
        await using var app = new StreamingApiApplication()
            .With("OfflineModel:TokensPerSecond", "20")
            .With("OfflineModel:FirstTokenDelayMs", "0");
        using var response = await app.CreateClient().OpenAsync("/stream/text?prompt=a%20long%20essay%20about%20rivers");
        await using var frames = response.ReadFramesAsync().GetAsyncEnumerator();

        Assert.True(await frames.MoveNextAsync());
        Assert.Equal("run", frames.Current.Type);
        do Assert.True(await frames.MoveNextAsync());
        while (frames.Current.Type == "reasoning"); // the model thinks briefly first
        Assert.Equal("text", frames.Current.Type);
        // The long essay takes minutes at 20 tokens/s: the run is still going, so these frames were flushed early.
        Assert.Equal(1, app.Runs.ActiveCount);
    }
}
