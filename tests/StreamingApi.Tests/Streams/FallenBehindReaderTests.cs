using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using StreamingApi.Runs;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Streams;

/// <summary>
/// A reader that falls further behind a fast run than the run's stream keeps (a reader on another instance, on Redis)
/// gives the run's snapshot in place of the events it lost. The UI message stream and AG-UI, which have no message that
/// replaces what their client has in the middle of a run, get the events it stands for: their client's answer is whole.
/// </summary>
public sealed class FallenBehindReaderTests
{
    private const string Prompt = "Write a long essay about canals";

    [Fact]
    public async Task AChatReadByAReaderThatFellBehindHasTheWholeAnswer()
    {
        await using var app = App();
        await using var unpaced = new StreamingApiApplication().With("OfflineModel:TokensPerSecond", "0");
        var reference = UiText(await Frames(await unpaced.CreateClient().OpenPostAsync("/api/chat", Chat("reference"))));

        await CutAsync(app, "/api/chat", Chat("fell-behind"));
        var frames = await Frames(await app.CreateClient().OpenAsync("/api/chat/fell-behind/stream"));

        Assert.Equal(1, Store(app).SnapshotsGiven);
        Assert.Equal("start", Type(frames[0]));
        Assert.DoesNotContain(frames, f => Type(f) == "error");
        Assert.Equal("finish", Type(frames[^1]));
        Assert.Equal(reference, UiText(frames));
        // One text part, continued by the events the snapshot stood for.
        Assert.Single(frames, f => Type(f) == "text-start");
    }

    [Fact]
    public async Task AnAgUiRunReadByAReaderThatFellBehindHasTheWholeAnswer()
    {
        await using var app = App();
        await using var unpaced = new StreamingApiApplication().With("OfflineModel:TokensPerSecond", "0");
        var reference = AgUiText(await Frames(await unpaced.CreateClient().OpenPostAsync("/api/agents/writer/ag-ui", AgUiRun("reference"))));

        await CutAsync(app, "/api/agents/writer/ag-ui", AgUiRun("fell-behind"));
        var frames = await Frames(await app.CreateClient().OpenPostAsync("/api/agents/writer/ag-ui/connect",
            """{"threadId":"fell-behind","messages":[]}"""));

        Assert.Equal(1, Store(app).SnapshotsGiven);
        Assert.Equal(["RUN_STARTED", "MESSAGES_SNAPSHOT"], frames.Take(2).Select(Type));
        Assert.Equal("RUN_FINISHED", Type(frames[^1]));
        Assert.Equal(reference, AgUiText(frames));
    }

    [Fact]
    public async Task OnRedisAChatReaderElsewhereThatFellBehindAFastRunHasTheWholeAnswer()
    {
        await using var redis = await RedisServer.StartAsync();
        // A fast run (about 4 s for its 4,000 deltas), whose stream keeps only its latest 64 events or so.
        await using var a = redis.Instance().With("OfflineModel:TokensPerSecond", "1000")
            .With("Redis:MaxStreamLength", "64").With("Redis:LeaseSeconds", "10").With("Runs:DetachGraceSeconds", "30");
        await using var b = redis.Instance().With("Redis:LeaseSeconds", "10").WithSendBuffer(4096);
        await using var unpaced = new StreamingApiApplication().With("OfflineModel:TokensPerSecond", "0");
        var reference = UiText(await Frames(await unpaced.CreateClient().OpenPostAsync("/api/chat", Chat("reference"))));

        await CutAsync(a, "/api/chat", Chat("fell-behind"));
        // The client on the other instance takes the start, then nothing until the run has ended: its socket fills, the
        // instance stops reading the run's stream, which the owner trims meanwhile.
        using var resumed = await b.CreateSocketClient(receiveBufferBytes: 4096).OpenAsync("/api/chat/fell-behind/stream");
        Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
        await using var stream = await resumed.Content.ReadAsStreamAsync();
        var start = new byte[1];
        Assert.Equal(1, await stream.ReadAsync(start).AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
        await a.WaitForNoActiveRunsAsync(TimeSpan.FromSeconds(60));

        using var rest = new StreamReader(stream);
        var frames = (await rest.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(60)))
            .Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(frame => frame.TrimStart('d', 'a', 't', ':', ' '))
            .Where(data => data.StartsWith('{'))
            .Select(data => JsonDocument.Parse(data).RootElement)
            .ToList();

        Assert.DoesNotContain(frames, f => Type(f) == "error");
        Assert.Equal("finish", Type(frames[^1]));
        Assert.True(reference.Length > 8000, $"the answer is long enough to outrun the stream ({reference.Length} characters)");
        Assert.Equal(reference, UiText(frames));
    }

    /// <summary>
    /// Paced so that the run is still going when its client comes back; its readers lose 100 events after the 20th
    /// text delta they give.
    /// </summary>
    private static StreamingApiApplication App() => new StreamingApiApplication()
        .With("OfflineModel:TokensPerSecond", "200")
        .With("Runs:DetachGraceSeconds", "30")
        .WithServices(services =>
        {
            var store = services.Last(d => d.ServiceType == typeof(IRunStore));
            services.Remove(store);
            services.AddSingleton<IRunStore>(provider => new FallingBehindRunStore((IRunStore)store.ImplementationFactory!(provider), 20, 100));
        });

    private static FallingBehindRunStore Store(StreamingApiApplication app) => (FallingBehindRunStore)app.Services.GetRequiredService<IRunStore>();

    private static string Chat(string chatId) =>
        $$"""{"id":"{{chatId}}","messages":[{"id":"u","role":"user","parts":[{"type":"text","text":"{{Prompt}}"}]}]}""";

    private static string AgUiRun(string threadId) =>
        $$"""{"threadId":"{{threadId}}","runId":"r1","messages":[{"id":"u","role":"user","content":"{{Prompt}}"}]}""";

    /// <summary>Starts the run, reads its first frame, and drops the connection: the run goes on for its client to come back.</summary>
    private static async Task CutAsync(StreamingApiApplication app, string url, string body)
    {
        using var cut = await app.CreateSocketClient().OpenPostAsync(url, body);
        Assert.Equal(HttpStatusCode.OK, cut.StatusCode);
        using var reader = new StreamReader(await cut.Content.ReadAsStreamAsync());
        Assert.NotNull(await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)));
    }

    /// <summary>The stream's messages, read to its end (bounded), without a final [DONE].</summary>
    private static async Task<List<JsonElement>> Frames(HttpResponseMessage response)
    {
        using var _ = response;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var frames = new List<JsonElement>();
        await foreach (var frame in response.ReadFramesAsync(timeout.Token))
            if (frame.Data != "[DONE]") frames.Add(frame.Payload);
        return frames;
    }

    private static string? Type(JsonElement frame) => frame.GetProperty("type").GetString();

    private static string UiText(List<JsonElement> parts) =>
        string.Concat(parts.Where(p => Type(p) == "text-delta").Select(p => p.GetProperty("delta").GetString()));

    /// <summary>The assistant's text: its messages in a snapshot (this run's; the user's prompt is not one), then the content after it.</summary>
    private static string AgUiText(List<JsonElement> events) => string.Concat(events.SelectMany(e => Type(e) switch
    {
        "MESSAGES_SNAPSHOT" => e.GetProperty("messages").EnumerateArray()
            .Where(m => m.GetProperty("role").GetString() == "assistant" && m.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String)
            .Select(m => m.GetProperty("content").GetString()),
        "TEXT_MESSAGE_CONTENT" => [e.GetProperty("delta").GetString()],
        _ => [],
    }));
}
