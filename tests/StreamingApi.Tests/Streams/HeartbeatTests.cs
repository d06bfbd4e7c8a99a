using System.Text;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Streams;

/// <summary>A silent stream (a slow tool, a thinking model) keeps its connection through proxies with comment lines.</summary>
public sealed class HeartbeatTests
{
    private const string Analysis = "/stream/analysis?prompt=Analyze%20our%202024%20sales";

    [Fact]
    public async Task ASilentStreamGetsKeepAliveCommentsThatParsersIgnore()
    {
        await using var app = new StreamingApiApplication()
            .With("Tools:SalesDelayMs", "3000")
            .With("Streaming:HeartbeatSeconds", "0.25");
        using var response = await app.CreateClient().OpenAsync(Analysis);
        var raw = await response.Content.ReadAsStringAsync();

        var toolCall = raw.IndexOf("event: tool-call", StringComparison.Ordinal);
        var salesResult = raw.IndexOf("\"name\":\"fetch_sales_data\",\"result\"", StringComparison.Ordinal);
        var beats = CountOf(raw[toolCall..salesResult], ": keep-alive\n\n");
        // About 11 in 3 s; fewer if the fresh process pauses to compile code, as a first run may.
        Assert.True(beats >= 4, $"the 3 s tool should see a keep-alive every 0.25 s or so; saw {beats}");
        var frames = SseFrames(raw);
        Assert.Equal("done", frames[^1]);
        Assert.DoesNotContain(frames, f => f.Length == 0); // comments never become events
    }

    [Fact]
    public async Task BehindNginxWithAReadTimeoutShorterThanASlowToolTheStreamSurvivesAndTextArrivesLive()
    {
        // nginx cuts a response that is silent for 6 s; the tool takes 9 s. (The first run of a fresh process can pause
        // for a second or more while its code is compiled on a busy machine: the margin between heartbeat and timeout covers that.)
        await using var app = new StreamingApiApplication()
            .With("Tools:SalesDelayMs", "9000")
            .With("OfflineModel:TokensPerSecond", "40")
            .With("Streaming:HeartbeatSeconds", "0.5");
        await using var nginx = await Nginx.StartAsync(app.BaseAddress, readTimeout: TimeSpan.FromSeconds(6));
        using var client = new HttpClient { BaseAddress = nginx.Address };

        using var response = await client.OpenAsync(Analysis);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        var frames = new List<Frame>();
        var activeAtFirstText = -1;
        await foreach (var frame in response.ReadFramesAsync())
        {
            if (frame.Type == "text" && activeAtFirstText < 0) activeAtFirstText = app.Runs.ActiveCount;
            frames.Add(frame);
        }

        Assert.Equal("done", frames[^1].Type);
        Assert.Equal("completed", frames[^1]["status"].GetString());
        Assert.Equal(1, activeAtFirstText); // the first text came through while the run was still writing: not buffered
    }

    [Fact]
    public async Task WithoutHeartbeatsNginxCutsTheSameStream()
    {
        await using var app = new StreamingApiApplication()
            .With("Tools:SalesDelayMs", "9000")
            .With("Streaming:HeartbeatSeconds", "0");
        await using var nginx = await Nginx.StartAsync(app.BaseAddress, readTimeout: TimeSpan.FromSeconds(6));
        using var client = new HttpClient { BaseAddress = nginx.Address };

        using var response = await client.OpenAsync(Analysis);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        var frames = new List<Frame>();
        try
        {
            await foreach (var frame in response.ReadFramesAsync()) frames.Add(frame);
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException)
        {
            // nginx may also cut the chunked body mid-way
        }

        Assert.Contains(frames, f => f.Type == "tool-call");
        Assert.DoesNotContain(frames, f => f.Type == "done");
    }

    private static int CountOf(string text, string part) => (text.Length - text.Replace(part, "").Length) / part.Length;

    /// <summary>The event types a spec-compliant parser sees in the raw body.</summary>
    private static List<string> SseFrames(string raw)
    {
        var parser = System.Net.ServerSentEvents.SseParser.Create(new MemoryStream(Encoding.UTF8.GetBytes(raw)));
        return parser.Enumerate().Select(item => item.EventType).ToList();
    }
}
