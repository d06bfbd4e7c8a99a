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
        { "POST", "/api/chat", """{"id":"c","messages":[{"role":"user","parts":[{"type":"text","text":"hi"}]},{"id":"a","role":"assistant","parts":[{"type":"dynamic-tool","toolCallId":"c1","state":"approval-responded","approval":{"id":"x"}}]}]}""", HttpStatusCode.BadRequest },
        { "POST", "/api/chat", """{"id":"c","messages":[{"role":"user","parts":[{"type":"text","text":"hi"}]},{"id":"a","role":"assistant","parts":[{"type":"tool-send_report","state":"approval-responded","approval":{"id":"x","approved":true}}]}]}""", HttpStatusCode.BadRequest },
        { "POST", "/api/chat", """{"id":"c","messages":[{"role":"user","parts":[{"type":"text","text":"hi"}]},{"id":"a","role":"assistant","parts":[{"type":"dynamic-tool","toolCallId":"c1","state":"approval-responded","approval":{"id":"x","approved":true}}]}]}""", HttpStatusCode.NotFound },
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
        { "POST", "/api/agents/writer/ag-ui", """{"threadId":"t","runId":"r","messages":[{"id":"u","role":"user","content":"hi"}],"context":{"tz":"UTC"}}""", HttpStatusCode.BadRequest },
        { "POST", "/api/agents/writer/ag-ui", """{"threadId":"t","runId":"r","messages":[{"id":"u","role":"user","content":"hi"}],"context":[{"description":"tz"}]}""", HttpStatusCode.BadRequest },
        { "POST", "/api/agents/writer/ag-ui", """{"threadId":"t","runId":"r","messages":[],"resume":{"interruptId":"a"}}""", HttpStatusCode.BadRequest },
        { "POST", "/api/agents/writer/ag-ui", """{"threadId":"t","runId":"r","messages":[],"resume":[{"status":"cancelled"}]}""", HttpStatusCode.BadRequest },
        { "POST", "/api/agents/writer/ag-ui", """{"threadId":"t","runId":"r","messages":[],"resume":[{"interruptId":"a","status":"resolved"}]}""", HttpStatusCode.BadRequest },
        { "POST", "/api/agents/writer/ag-ui", """{"threadId":"t","runId":"r","messages":[],"resume":[{"interruptId":"a","status":"resolved","payload":{"approved":true,"reason":5}}]}""", HttpStatusCode.BadRequest },
        { "POST", "/api/agents/writer/ag-ui", """{"threadId":"t","runId":"r","messages":[],"resume":[{"interruptId":"a","status":"cancelled"},{"interruptId":"a","status":"cancelled"}]}""", HttpStatusCode.BadRequest },
        { "POST", "/api/agents/writer/ag-ui", """{"threadId":"no-such-thread","runId":"r","messages":[],"resume":[{"interruptId":"a","status":"cancelled"}]}""", HttpStatusCode.NotFound },
        { "POST", "/api/agents/poet/ag-ui", AgUiTides, HttpStatusCode.NotFound },
        { "POST", "/api/agents/writer/ag-ui/connect", "{}", HttpStatusCode.BadRequest },
        { "POST", "/api/agents/writer/ag-ui/connect", """{"threadId":"t","messages":[{"id":"u","content":"hi"}]}""", HttpStatusCode.BadRequest },
        { "POST", "/api/agents/writer/ag-ui/connect", """{"threadId":"t","messages":["hi"]}""", HttpStatusCode.BadRequest },
        { "POST", "/api/agents/poet/ag-ui/connect", """{"threadId":"t"}""", HttpStatusCode.NotFound },
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
    public async Task ConnectingToAThreadWithNoRunGoingIsAnEmptyEventStream()
    {
        var client = _app.Instance.CreateClient();
        using (var answered = await client.OpenPostAsync("/api/agents/writer/ag-ui", AgUiTides.Replace("thread-1", "finished-thread"))) await answered.Content.ReadAsStringAsync();

        foreach (var (agent, thread) in new[] { ("writer", "never-seen"), ("writer", "finished-thread"), ("analyst", "finished-thread") })
        {
            using var response = await client.OpenPostAsync($"/api/agents/{agent}/ag-ui/connect", $$"""{"threadId":"{{thread}}","runId":"r2","messages":[]}""");

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task AgUiConnectGivesTheRunSoFarAsOneMessagesSnapshotEvenWhileItsFirstEventsAreHeld()
    {
        // A client that kept its copy of the run would have a replay appended to it; the snapshot replaces it instead.
        // The essay takes seconds at this pace, so the run is still going when the client comes back, however slowly
        // this machine lets it read.
        await using var app = new StreamingApiApplication()
            .With("OfflineModel:TokensPerSecond", "800")
            .With("Runs:MaxBacklogEvents", "32")
            .With("Runs:DetachGraceSeconds", "30");
        const string user = """{"id":"u1","role":"user","content":"Write a long essay about rivers"}""";
        var seen = new List<JsonElement>();
        using (var cut = await app.CreateSocketClient().OpenPostAsync("/api/agents/writer/ag-ui", $$"""{"threadId":"kept","runId":"r1","messages":[{{user}}]}"""))
        {
            using var reader = new StreamReader(await cut.Content.ReadAsStreamAsync());
            while (seen.Count(e => Type(e) == "TEXT_MESSAGE_CONTENT") < 10 && await reader.ReadLineAsync() is { } line)
                if (line.StartsWith("data: ", StringComparison.Ordinal)) seen.Add(JsonDocument.Parse(line["data: ".Length..]).RootElement);
        }
        var messageId = seen.First(e => Type(e) == "TEXT_MESSAGE_START").GetProperty("messageId").GetString()!;
        var runId = messageId[..messageId.LastIndexOf("-m", StringComparison.Ordinal)];

        using var connected = await app.CreateClient().OpenPostAsync("/api/agents/writer/ag-ui/connect", $$"""{"threadId":"kept","runId":"r2","messages":[{{user}}]}""");
        var events = Parts(await connected.Content.ReadAsStringAsync());
        var output = (await app.CreateClient().GetRunAsync(runId)).GetProperty("output");

        Assert.Equal(HttpStatusCode.OK, connected.StatusCode);
        Assert.Equal("""{"type":"RUN_STARTED","threadId":"kept","runId":"r2"}""", events[0].GetRawText());
        var messages = events[1].GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(("MESSAGES_SNAPSHOT", user), (Type(events[1]), messages[0].GetRawText()));
        Assert.Equal([("reasoning", $"{runId}-r1"), ("assistant", messageId)], messages[1..].Select(m => (m.GetProperty("role").GetString(), m.GetProperty("id").GetString())));
        Assert.Equal(output.GetProperty("reasoning").GetString(), messages[1].GetProperty("content").GetString());
        Assert.DoesNotContain(events, e => Type(e) is "REASONING_START" or "REASONING_MESSAGE_CONTENT"); // nothing of the run is replayed
        Assert.All(events.Where(e => Type(e) == "TEXT_MESSAGE_START"), e => Assert.Equal(messageId, e.GetProperty("messageId").GetString()));
        var text = messages[2].GetProperty("content").GetString() + string.Concat(events.Where(e => Type(e) == "TEXT_MESSAGE_CONTENT").Select(e => e.GetProperty("delta").GetString()));
        Assert.Equal(output.GetProperty("text").GetString(), text);
        Assert.Equal(("RUN_FINISHED", "kept", "r2"), (Type(events[^1]), events[^1].GetProperty("threadId").GetString(), events[^1].GetProperty("runId").GetString()));
    }

    [Fact]
    public async Task AChatResumedLateInALongAnswerStartsFromItsSnapshotAndEndsWithTheWholeAnswer()
    {
        // Far more events than Runs:ReplayWindow (64) before the reload: the resume starts from the run's snapshot. The
        // essay takes seconds at this pace and the run waits 1,024 events past the page that left, so it is still going
        // when the page comes back.
        await using var app = new StreamingApiApplication()
            .With("OfflineModel:TokensPerSecond", "800")
            .With("Runs:MaxBacklogEvents", "1024")
            .With("Runs:DetachGraceSeconds", "30");
        const string body = """{"id":"reloaded","messages":[{"id":"u1","role":"user","parts":[{"type":"text","text":"Write a long essay about rivers"}]}]}""";
        var seen = new List<JsonElement>();
        using (var cut = await app.CreateSocketClient().OpenPostAsync("/api/chat", body))
        {
            using var reader = new StreamReader(await cut.Content.ReadAsStreamAsync());
            while (seen.Count < 500 && await reader.ReadLineAsync() is { } line)
                if (line.StartsWith("data: ", StringComparison.Ordinal)) seen.Add(JsonDocument.Parse(line["data: ".Length..]).RootElement);
        } // the page reloads

        using var resumed = await app.CreateClient().OpenAsync("/api/chat/reloaded/stream");
        var parts = Parts(await resumed.Content.ReadAsStringAsync());
        var runId = seen[0].GetProperty("messageId").GetString()!;
        var output = (await app.CreateClient().GetRunAsync(runId)).GetProperty("output");

        Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
        Assert.Equal(("start", runId, "writer"), (Type(parts[0]), parts[0].GetProperty("messageId").GetString(),
            parts[0].GetProperty("messageMetadata").GetProperty("agent").GetString())); // the snapshot has the run event
        Assert.Equal(["start-step", "reasoning-start", "reasoning-delta", "reasoning-end", "text-start", "text-delta"], parts[1..7].Select(Type));
        Assert.Equal(output.GetProperty("reasoning").GetString(), parts[3].GetProperty("delta").GetString()); // the reasoning is over: all of it
        var textSeen = TextOf(seen);
        Assert.StartsWith(textSeen, parts[6].GetProperty("delta").GetString()); // the text so far, at least what the page had shown
        Assert.True(textSeen.Length > 1000, $"the page had shown a long text ({textSeen.Length} characters)");
        Assert.Equal(["text-end", "finish-step", "finish"], parts.TakeLast(3).Select(Type));
        Assert.Single(parts, p => Type(p) == "text-start"); // the text after the snapshot goes on in its part
        Assert.Equal(output.GetProperty("text").GetString(), TextOf(parts));
    }

    [Fact]
    public async Task AChatWhoseFirstEventsAreNoLongerHeldIsResumedFromItsSnapshotWithItsToolCallsAndSteps()
    {
        // A run that keeps only 16 events behind the place of the reader that left, and waits 32 events past it; an
        // essay long enough (seconds at this pace) that the run is still going when the client comes back.
        await using var app = new StreamingApiApplication()
            .With("OfflineModel:TokensPerSecond", "800")
            .With("Runs:ReplayWindow", "16")
            .With("Runs:MaxBacklogEvents", "32")
            .With("Runs:DetachGraceSeconds", "30");
        const string body = """{"id":"late","messages":[{"id":"u1","role":"user","parts":[{"type":"text","text":"Write a long essay about stock in Europe"}]}]}""";
        var seen = new List<JsonElement>();
        using (var cut = await app.CreateSocketClient().OpenPostAsync("/api/agents/inventory/chat", body))
        {
            using var reader = new StreamReader(await cut.Content.ReadAsStreamAsync());
            while (seen.Count(p => Type(p) == "text-delta") < 40 && await reader.ReadLineAsync() is { } line)
                if (line.StartsWith("data: ", StringComparison.Ordinal)) seen.Add(JsonDocument.Parse(line["data: ".Length..]).RootElement);
        }
        var runId = seen[0].GetProperty("messageId").GetString()!;

        using var resumed = await app.CreateClient().OpenAsync("/api/agents/inventory/chat/late/stream");
        var frames = (await resumed.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        var parts = Parts(string.Join("\n\n", frames));
        var output = (await app.CreateClient().GetRunAsync(runId)).GetProperty("output");

        Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
        Assert.Equal($$$"""data: {"type":"start","messageId":"{{{runId}}}","messageMetadata":{"agent":"inventory","model":"offline-writer-1"}}""", frames[0]);
        Assert.Equal(["start-step", "reasoning-start", "reasoning-delta", "reasoning-end", "tool-input-available", "tool-output-available",
            "finish-step", "start-step", "text-start", "text-delta"], parts[1..11].Select(Type));
        Assert.Equal(seen.Single(p => Type(p) == "tool-output-available").GetRawText(), parts[6].GetRawText());
        Assert.StartsWith(TextOf(seen), parts[10].GetProperty("delta").GetString());
        Assert.Equal(["text-end", "finish-step", "finish"], parts.TakeLast(3).Select(Type));
        Assert.Equal("data: [DONE]", frames[^1]);
        Assert.Equal(output.GetProperty("text").GetString(), TextOf(parts));
        Assert.Equal("completed", output.GetProperty("status").GetString());
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

    /// <summary>The parts of a UI message stream's body (without its [DONE]), or the events of an AG-UI one.</summary>
    private static List<JsonElement> Parts(string raw) =>
        raw.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Where(f => f != "data: [DONE]")
            .Select(f => JsonDocument.Parse(f["data: ".Length..]).RootElement).ToList();

    private static string Type(JsonElement part) => part.GetProperty("type").GetString()!;

    private static string TextOf(IEnumerable<JsonElement> parts) =>
        string.Concat(parts.Where(p => Type(p) == "text-delta").Select(p => p.GetProperty("delta").GetString()));
}
