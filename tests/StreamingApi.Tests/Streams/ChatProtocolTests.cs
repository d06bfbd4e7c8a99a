using System.Net;
using System.Text;
using System.Text.Json;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Streams;

/// <summary>The frontends' protocols over a real socket: their framing and headers, resume, and bad input refused first.</summary>
public sealed class ChatProtocolTests : IClassFixture<ChatProtocolTests.App>
{
    private const string Tides = """{"id":"chat-1","messages":[{"id":"u1","role":"user","parts":[{"type":"text","text":"Explain tides"}]}]}""";
    private const string AgUiTides = """{"threadId":"thread-1","runId":"run-1","messages":[{"id":"u1","role":"user","content":"Explain tides"}]}""";

    private readonly App _app;

    public ChatProtocolTests(App app) => _app = app;

    public sealed class App : IAsyncDisposable
    {
        public StreamingApiApplication Instance { get; } = new();

        public ValueTask DisposeAsync() => Instance.DisposeAsync();
    }

    public static TheoryData<string, string, string?, HttpStatusCode> BadRequests => new()
    {
        { "POST", "/api/chat", "{}", HttpStatusCode.BadRequest },
        { "POST", "/api/chat", """{"id":"c","messages":[]}""", HttpStatusCode.BadRequest },
        { "POST", "/api/chat", """{"messages":[{"role":"user","parts":[{"type":"text","text":"hi"}]}]}""", HttpStatusCode.BadRequest },
        { "POST", "/api/chat", """{"id":"c","messages":[{"role":"user","parts":[{"type":"text","text":"hi"}]},{"role":"assistant","parts":[{"type":"text","text":"Hello"}]}]}""", HttpStatusCode.BadRequest },
        { "POST", "/api/chat", """{"id":"c","messages":[{"role":"user","parts":[{"type":"text","text":"  "}]}]}""", HttpStatusCode.BadRequest },
        { "POST", "/api/chat", """{"id":"c","messages":[{"role":"user","parts":[{"type":"file","url":"data:,x","mediaType":"text/plain"}]}]}""", HttpStatusCode.BadRequest },
        { "POST", "/api/chat", """{"id":"c","messages":[{"role":"robot","parts":[{"type":"text","text":"hi"}]}]}""", HttpStatusCode.BadRequest },
        { "POST", "/api/chat", """{"id":"c","messages":[{"role":"user"}]}""", HttpStatusCode.BadRequest },
        { "POST", "/api/chat", """{"id":"c","messages":[null]}""", HttpStatusCode.BadRequest },
        { "POST", "/api/chat", """{"id":"c","messages":[{"role":"user","parts":[{"type":"text","text":5}]}]}""", HttpStatusCode.BadRequest },
        { "POST", "/api/chat", """{"id":"c","messages":[{"role":"user","parts":[{"text":"hi"}]}]}""", HttpStatusCode.BadRequest },
        { "POST", "/api/chat", """{"id":"c","messages":[{"role":"user","parts":["hi"]}]}""", HttpStatusCode.BadRequest },
        { "POST", "/api/chat", """{"id":"c","messages":"hi"}""", HttpStatusCode.BadRequest },
        { "POST", "/api/chat", """{"id":"c","messages":[{"role":"user","parts":[{"type":"text","text":"hi"}]}],"trigger":"resubmit"}""", HttpStatusCode.BadRequest },
        { "POST", "/api/chat", """{"id":"c","messages":[{"role":"user","parts":[{"type":"text","text":"hi"}]}],"maxSeconds":0}""", HttpStatusCode.BadRequest },
        { "POST", "/api/chat", $$"""{"id":"c","messages":[{"role":"user","parts":[{"type":"text","text":"{{new string('a', 4001)}}"}]}]}""", HttpStatusCode.BadRequest },
        { "POST", "/api/chat", "[1,2,3]", HttpStatusCode.BadRequest },
        { "POST", "/api/agents/analyst/chat", """{"id":"c","messages":[]}""", HttpStatusCode.BadRequest },
        { "POST", "/api/agents/poet/chat", Tides, HttpStatusCode.NotFound },
        { "GET", "/api/agents/poet/chat/chat-1/stream", null, HttpStatusCode.NotFound },
        { "POST", "/api/agents/writer/ag-ui", "{}", HttpStatusCode.BadRequest },
        { "POST", "/api/agents/writer/ag-ui", """{"threadId":"t","messages":[{"id":"u","role":"user","content":"hi"}]}""", HttpStatusCode.BadRequest },
        { "POST", "/api/agents/writer/ag-ui", """{"threadId":"t","runId":"r","messages":[]}""", HttpStatusCode.BadRequest },
        { "POST", "/api/agents/writer/ag-ui", """{"threadId":"t","runId":"r","messages":[{"id":"u","role":"user","content":"hi"},{"id":"a","role":"assistant","content":"Hello"}]}""", HttpStatusCode.BadRequest },
        { "POST", "/api/agents/writer/ag-ui", """{"threadId":"t","runId":"r","messages":[{"id":"u","role":"robot","content":"hi"}]}""", HttpStatusCode.BadRequest },
        { "POST", "/api/agents/writer/ag-ui", """{"threadId":"t","runId":"r","messages":[{"id":"u","role":"user","content":5}]}""", HttpStatusCode.BadRequest },
        { "POST", "/api/agents/writer/ag-ui", """{"threadId":"t","runId":"r","messages":[{"id":"u","role":"user","content":[{"text":"hi"}]}]}""", HttpStatusCode.BadRequest },
        { "POST", "/api/agents/writer/ag-ui", """{"threadId":"t","runId":"r","messages":[{"id":"u","role":"user","content":"hi"}],"forwardedProps":{"maxSeconds":"soon"}}""", HttpStatusCode.BadRequest },
        { "POST", "/api/agents/writer/ag-ui", """{"threadId":"t","runId":"r","messages":[{"id":"u","role":"user","content":"hi"}],"forwardedProps":{"fail":"yes"}}""", HttpStatusCode.BadRequest },
        { "POST", "/api/agents/writer/ag-ui", """{"threadId":"t","runId":"r","messages":"hi"}""", HttpStatusCode.BadRequest },
        { "POST", "/api/agents/poet/ag-ui", AgUiTides, HttpStatusCode.NotFound },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task BadInputGetsProblemDetailsBeforeAnyStream(string method, string url, string? body, HttpStatusCode status)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await _app.Instance.CreateClient().SendAsync(request);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.True(problem.TryGetProperty("errors", out _) || problem.TryGetProperty("detail", out _), "the problem says what is wrong");
    }

    [Fact]
    public async Task TheUiMessageStreamIsDataLinesOfJsonThenDoneWithTheProtocolsHeader()
    {
        using var response = await _app.Instance.CreateClient().OpenPostAsync("/api/chat", Tides);
        var raw = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("v1", response.Headers.GetValues("x-vercel-ai-ui-message-stream").Single());
        Assert.Equal("no", response.Headers.GetValues("X-Accel-Buffering").Single());
        Assert.DoesNotContain('\r', raw);
        var frames = raw.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.All(frames, f => Assert.Matches("^data: [^\n]+$", f)); // one data line, no event:, id: or retry:
        Assert.Equal("data: [DONE]", frames[^1]);
        var parts = frames[..^1].Select(f => JsonDocument.Parse(f["data: ".Length..]).RootElement).ToList();
        Assert.Equal("start", parts[0].GetProperty("type").GetString());
        Assert.Equal("finish", parts[^1].GetProperty("type").GetString());
        var runId = parts[0].GetProperty("messageId").GetString()!;
        var run = JsonDocument.Parse(await _app.Instance.CreateClient().GetStringAsync($"/runs/{runId}")).RootElement;
        Assert.Equal(("chat", "chat-1", "writer"), (run.GetProperty("endpoint").GetString(), run.GetProperty("threadId").GetString(),
            run.GetProperty("agent").GetString()));
    }

    [Fact]
    public async Task AgUiIsDataLinesOfJsonWithLfOnlyAndNoDone()
    {
        using var response = await _app.Instance.CreateClient().OpenPostAsync("/api/agents/writer/ag-ui", AgUiTides);
        var raw = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain('\r', raw);
        Assert.DoesNotContain("[DONE]", raw);
        var frames = raw.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.All(frames, f => Assert.Matches("^data: \\{[^\n]+\\}$", f));
        var events = frames.Select(f => JsonDocument.Parse(f["data: ".Length..]).RootElement).ToList();
        Assert.Equal("""{"type":"RUN_STARTED","threadId":"thread-1","runId":"run-1"}""", events[0].GetRawText());
        Assert.Equal("RUN_FINISHED", events[^1].GetProperty("type").GetString());
        Assert.Equal(("thread-1", "run-1"), (events[^1].GetProperty("threadId").GetString(), events[^1].GetProperty("runId").GetString()));
    }

    [Fact]
    public async Task ResumingAChatWithNoRunGoingIsNoContent()
    {
        var client = _app.Instance.CreateClient();
        using var unknown = await client.GetAsync("/api/chat/never-seen/stream");
        Assert.Equal(HttpStatusCode.NoContent, unknown.StatusCode);

        var chat = Tides.Replace("chat-1", "finished-chat");
        using (var answered = await client.OpenPostAsync("/api/chat", chat)) await answered.Content.ReadAsStringAsync();
        using var finished = await client.GetAsync("/api/chat/finished-chat/stream");
        Assert.Equal(HttpStatusCode.NoContent, finished.StatusCode);
        using var otherAgent = await client.GetAsync("/api/agents/analyst/chat/finished-chat/stream");
        Assert.Equal(HttpStatusCode.NoContent, otherAgent.StatusCode);
    }

    [Fact]
    public async Task AChatResumedLateInALongAnswerIsReplayedWholeFromItsStart()
    {
        // Far more events than Runs:ReplayWindow (256) before the reload: a chat's run keeps Runs:ChatReplayWindow.
        await using var app = new StreamingApiApplication()
            .With("OfflineModel:TokensPerSecond", "2000")
            .With("Runs:DetachGraceSeconds", "30");
        const string body = """{"id":"reloaded","messages":[{"id":"u1","role":"user","parts":[{"type":"text","text":"Write a long essay about rivers"}]}]}""";
        using (var cut = await app.CreateSocketClient().OpenPostAsync("/api/chat", body))
        {
            using var reader = new StreamReader(await cut.Content.ReadAsStreamAsync());
            for (var lines = 0; lines < 1000 && await reader.ReadLineAsync() is not null;) lines++;
        } // the page reloads

        using var resumed = await app.CreateClient().OpenAsync("/api/chat/reloaded/stream");
        var parts = (await resumed.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries)[..^1]
            .Select(f => JsonDocument.Parse(f["data: ".Length..]).RootElement).ToList();
        var whole = await app.CreateClient().GetFramesAsync("/stream/text?prompt=Write%20a%20long%20essay%20about%20rivers", 60);

        Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
        Assert.Equal("start", parts[0].GetProperty("type").GetString());
        Assert.Equal("writer", parts[0].GetProperty("messageMetadata").GetProperty("agent").GetString()); // the run event is there
        Assert.True(parts.Count > 2000, $"a long essay has thousands of parts; the replay had {parts.Count}");
        Assert.Equal(whole.Text(), string.Concat(parts.Where(p => p.GetProperty("type").GetString() == "text-delta").Select(p => p.GetProperty("delta").GetString())));
    }

    [Fact]
    public async Task AChatResumedAfterItsRunLetItsFirstEventsGoIsReplayedFromTheEarliestHeldAfterAStart()
    {
        // A chat run that keeps only 16 events behind the place of the reader that left, and waits 32 events past it.
        await using var app = new StreamingApiApplication()
            .With("Runs:ChatReplayWindow", "16")
            .With("Runs:MaxBacklogEvents", "32")
            .With("Runs:DetachGraceSeconds", "30");
        const string body = """{"id":"late","messages":[{"id":"u1","role":"user","parts":[{"type":"text","text":"Write a long essay about rivers"}]}]}""";
        string runId;
        using (var cut = await app.CreateSocketClient().OpenPostAsync("/api/chat", body))
        {
            var first = new List<string>();
            using var reader = new StreamReader(await cut.Content.ReadAsStreamAsync());
            while (first.Count < 100 && await reader.ReadLineAsync() is { } line)
                if (line.StartsWith("data: ", StringComparison.Ordinal)) first.Add(line);
            runId = JsonDocument.Parse(first[0]["data: ".Length..]).RootElement.GetProperty("messageId").GetString()!;
        }

        using var resumed = await app.CreateClient().OpenAsync("/api/chat/late/stream");
        var frames = (await resumed.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
        Assert.Equal($$"""data: {"type":"start","messageId":"{{runId}}"}""", frames[0]); // no metadata: the run event is gone
        var types = frames[1..^1].Select(f => JsonDocument.Parse(f["data: ".Length..]).RootElement.GetProperty("type").GetString()).ToList();
        Assert.Equal(["start-step", "text-start", "text-delta"], types.Take(3));
        Assert.Equal(["text-end", "finish-step", "finish"], types.TakeLast(3));
        Assert.Equal("data: [DONE]", frames[^1]);
        var run = JsonDocument.Parse(await app.CreateClient().GetStringAsync($"/runs/{runId}")).RootElement;
        Assert.Equal("completed", run.GetProperty("status").GetString());
    }

    [Fact]
    public async Task BothProtocolsKeepASilentStreamAliveWithCommentsTheirClientsIgnore()
    {
        await using var app = new StreamingApiApplication()
            .With("Tools:SalesDelayMs", "1500")
            .With("Streaming:HeartbeatSeconds", "0.2");
        var client = app.CreateClient();
        const string question = "Analyze our 2024 sales";

        using var ui = await client.OpenPostAsync("/api/agents/analyst/chat",
            $$"""{"id":"beats","messages":[{"role":"user","parts":[{"type":"text","text":"{{question}}"}]}]}""");
        using var agUi = await client.OpenPostAsync("/api/agents/analyst/ag-ui",
            $$"""{"threadId":"t","runId":"r","messages":[{"id":"u","role":"user","content":"{{question}}"}]}""");

        foreach (var raw in new[] { await ui.Content.ReadAsStringAsync(), await agUi.Content.ReadAsStringAsync() })
        {
            Assert.Contains("\n\n: keep-alive\n\n", raw);
            Assert.All(raw.Split("\n\n", StringSplitOptions.RemoveEmptyEntries), f => Assert.True(f.StartsWith("data: ") || f == ": keep-alive", f));
        }
    }
}
