using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Streams;

public sealed class ProgressAndBufferedTests
{
    [Fact]
    public async Task ProgressComesEveryNChunksWithRunningTotalsAndOnceAtTheEnd()
    {
        await using var app = new StreamingApiApplication();
        var frames = await app.CreateClient().GetFramesAsync("/stream/progress?prompt=Explain%20queues&every=7");

        var textSoFar = 0;
        var charsSoFar = 0L;
        var progress = new List<(int Chunks, long Chars)>();
        foreach (var frame in frames)
        {
            if (frame.Type == "text") { textSoFar++; charsSoFar += frame["delta"].GetString()!.Length; }
            if (frame.Type != "progress") continue;
            Assert.Equal(textSoFar, frame["chunks"].GetInt32());
            Assert.Equal(charsSoFar, frame["chars"].GetInt64());
            Assert.True(frame["elapsedMs"].GetInt64() >= 0);
            Assert.True(frame["charsPerSecond"].GetDouble() >= 0);
            progress.Add((textSoFar, charsSoFar));
        }

        Assert.Equal(Enumerable.Range(1, textSoFar / 7).Select(i => i * 7), progress.SkipLast(1).Select(p => p.Chunks));
        Assert.Equal((textSoFar, charsSoFar), progress[^1]);
        Assert.Equal(["progress", "done"], frames.TakeLast(2).Select(f => f.Type));
    }

    [Fact]
    public async Task BufferedFramesHoldAtLeastMinCharsAndReassembleExactly()
    {
        await using var app = new StreamingApiApplication();
        var client = app.CreateClient();

        var plain = await client.GetFramesAsync("/stream/text?prompt=Explain%20buffers");
        var buffered = await client.GetFramesAsync("/stream/buffered?prompt=Explain%20buffers&minChars=50&maxDelayMs=60000");

        var texts = buffered.Where(f => f.Type == "text").Select(f => f["delta"].GetString()!).ToList();
        Assert.Equal(plain.Text(), buffered.Text());
        Assert.All(texts.SkipLast(1), t => Assert.True(t.Length >= 50, $"a frame of {t.Length} chars"));
        Assert.True(texts.Count * 4 < plain.Count(f => f.Type == "text"), "buffering should need far fewer frames");
        Assert.Equal(["run"], buffered.Take(1).Select(f => f.Type));
        Assert.Equal("done", buffered[^1].Type);
        Assert.Equal(plain[^1]["chars"].GetInt64(), buffered[^1]["chars"].GetInt64());
    }

    [Fact]
    public async Task BufferedTextIsSentAfterMaxDelayEvenBelowMinChars()
    {
        await using var app = new StreamingApiApplication()
            .With("OfflineModel:TokensPerSecond", "50");
        var frames = await app.CreateClient().GetFramesAsync("/stream/buffered?prompt=Explain%20timers&minChars=100000&maxDelayMs=100");

        var texts = frames.Where(f => f.Type == "text").Select(f => f["delta"].GetString()!).ToList();
        Assert.True(texts.Count > 3, $"expected the timer to flush several frames, got {texts.Count}");
        Assert.All(texts, t => Assert.True(t.Length < 100_000));
        Assert.Equal(frames[^1]["chars"].GetInt64(), frames.Text().Length);
    }
}
