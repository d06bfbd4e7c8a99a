using System.Collections.Concurrent;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using StreamingApi.Agents.Tools;
using StreamingApi.Tests.Infrastructure;
using static StreamingApi.Tests.Approvals.ApprovalTests;

namespace StreamingApi.Tests.Approvals;

/// <summary>
/// A model turn that asks for both kinds of answer at once: one call of a tool that needs approval (the analyst's
/// send_report) and one call of the client's own tool (get_weather, declared by the request), in the same assistant
/// message. The run waits once for both, records each answer, goes on only when both are in (or at the timeout), runs
/// the approved tool once and gives the model the client's result, on one contiguous stream. The offline model never
/// makes such a turn (it calls a client's tool in a turn of its own), so a scripted model does.
/// </summary>
public sealed class MixedTurnTests
{
    private const string ChatPath = "/api/agents/analyst/chat";
    private const string AgUiPath = "/api/agents/analyst/ag-ui";
    private const string SendCall = "call_send";
    private const string WeatherCall = "call_weather";
    private const string Weather = """{"tempC":24,"sky":"clear"}""";
    private const string Question = "Check the weather in Lisbon and email the report to cfo@example.com";

    private const string Tools =
        """[{"name":"get_weather","description":"The weather in a city, where the user is","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}]""";

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task TheRunWaitsOnceForTheApprovalAndTheClientsResultInEitherOrderThenGoesOnOnce(bool approvalFirst)
    {
        var model = new MixedTurnChatClient();
        await using var app = App().WithServices(s => s.AddSingleton<IChatClient>(model));
        var client = app.CreateSocketClient();
        var (runId, approvalId) = await AskOverUiAsync(client, "chat-mix-1");
        using var response = await client.OpenAsync($"/runs/{runId}/events");
        await using var frames = response.ReadFramesAsync().GetAsyncEnumerator();
        var read = await ReadUntilAsync(frames, "tool-call"); // send_report's
        read.AddRange(await ReadUntilAsync(frames, "tool-call")); // then the client's

        // One wait for both: the call that needs approval with its request, the client's call marked as the client's.
        Assert.Equal(["run", "tool-call", "approval-request", "tool-call"], read.Select(f => f.Type));
        Assert.Equal((SendCall, "send_report", false), (read[1]["callId"].GetString(), read[1]["name"].GetString(), read[1].Payload.TryGetProperty("client", out _)));
        Assert.Equal((approvalId, SendCall), (read[2]["approvalId"].GetString(), read[2]["callId"].GetString()));
        Assert.Equal((WeatherCall, "get_weather", true), (read[3]["callId"].GetString(), read[3]["name"].GetString(), read[3]["client"].GetBoolean()));
        await app.WaitForNoActiveRunsAsync();
        var waiting = await client.GetRunAsync(runId);
        Assert.Equal("waiting", waiting.GetProperty("status").GetString());
        var pending = waiting.GetProperty("output").GetProperty("toolCalls").EnumerateArray().ToList();
        Assert.Equal([SendCall, WeatherCall], pending.Select(c => c.GetProperty("callId").GetString()));
        Assert.True(pending[1].GetProperty("client").GetBoolean());

        // The first answer is recorded (the same again is taken, another refused), and the run waits on for the other.
        if (approvalFirst)
        {
            await DecideOverRunsAsync(client, runId, approvalId);
            Assert.Equal("waiting", (await client.GetRunAsync(runId)).GetProperty("status").GetString());
            Assert.Equal(0, app.Runs.ActiveCount);
            using var answered = await client.OpenPostAsync(ChatPath, Answer("chat-mix-1", runId, approvalId, approved: null, output: Weather));
            await CompletesAsync(answered);
        }
        else
        {
            // The client's result first: its response is open once the result is recorded, and goes on when the run does.
            using var answered = await client.OpenPostAsync(ChatPath, Answer("chat-mix-1", runId, approvalId, approved: null, output: Weather));
            Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
            using (var again = await client.OpenPostAsync(ChatPath, Answer("chat-mix-1", runId, approvalId, approved: null, output: """{"tempC":5}""")))
                Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
            Assert.Equal("waiting", (await client.GetRunAsync(runId)).GetProperty("status").GetString());
            Assert.Equal(0, app.Runs.ActiveCount);
            await DecideOverRunsAsync(client, runId, approvalId);
            await CompletesAsync(answered);
        }
        read.AddRange(await ReadToEndAsync(frames));

        Contiguous(read);
        Assert.Equal(read.Count, read.Select(f => f.Id).Distinct().Count());
        var after = read[4..];
        Assert.Equal(["approval", "tool-result", "tool-result"], after.Take(3).Select(f => f.Type));
        Assert.Equal((approvalId, true, "fine"), (after[0]["approvalId"].GetString(), after[0]["approved"].GetBoolean(), after[0]["reason"].GetString()));
        Assert.Equal((WeatherCall, true, 24), (after[1]["callId"].GetString(), after[1]["client"].GetBoolean(), after[1]["result"].GetProperty("tempC").GetInt32()));
        Assert.Equal(SendCall, after[2]["callId"].GetString());
        Assert.True(after[2]["result"].GetProperty("sent").GetBoolean());
        Assert.Equal(2, read.Count(f => f.Type == "tool-call")); // each announced once
        Assert.Single(read, f => f.Type == "approval-request");
        Assert.Single(app.Services.GetRequiredService<SentReports>().All);
        Assert.Equal(("done", "completed"), (read[^1].Type, read[^1]["status"].GetString()));
        Assert.Contains($"[{WeatherCall}: {Weather}]", read.Text());

        // The model got each call's one result: the report's, and the client's as the client gave it.
        var results = model.LastResults();
        Assert.Equal([SendCall, WeatherCall], results.Keys.Order());
        Assert.Equal(24, results[WeatherCall].GetProperty("tempC").GetInt32());
        Assert.True(results[SendCall].GetProperty("sent").GetBoolean());
        Assert.Equal("completed", (await client.GetRunAsync(runId)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task OneUiRequestWithBothAnswersDeniesTheReportAndGivesTheModelTheClientsResult()
    {
        var model = new MixedTurnChatClient();
        await using var app = App().WithServices(s => s.AddSingleton<IChatClient>(model));
        var client = app.CreateSocketClient();
        var (runId, approvalId) = await AskOverUiAsync(client, "chat-mix-2");

        // What the AI SDK sends once every part of the message is answered: the decision and the client's output together.
        using var answered = await client.OpenPostAsync(ChatPath, Answer("chat-mix-2", runId, approvalId, approved: false, output: Weather));
        var parts = await ClientToolTests.PartsAsync(answered);

        Assert.Equal($$"""{"type":"start","messageId":"{{runId}}"}""", parts[0].GetRawText());
        Assert.Equal(("tool-output-denied", SendCall), (Type(parts[1]), parts[1].GetProperty("toolCallId").GetString()));
        Assert.DoesNotContain(parts, p => Type(p) is "tool-input-available" or "tool-output-available" or "tool-approval-request");
        var text = string.Concat(parts.Where(p => Type(p) == "text-delta").Select(p => p.GetProperty("delta").GetString()));
        Assert.Contains($"[{WeatherCall}: {Weather}]", text);
        Assert.Equal("completed", parts[^1].GetProperty("messageMetadata").GetProperty("status").GetString());
        Assert.Empty(app.Services.GetRequiredService<SentReports>().All);
        var results = model.LastResults();
        Assert.Equal([SendCall, WeatherCall], results.Keys.Order());
        Assert.Equal(JsonValueKind.String, results[SendCall].ValueKind); // the invoker's rejection, for the model

        var frames = await client.GetFramesAsync($"/runs/{runId}/events");
        Contiguous(frames);
        Assert.Equal(["run", "tool-call", "approval-request", "tool-call", "approval", "tool-result", "tool-result"], frames.Take(7).Select(f => f.Type));
        Assert.False(frames[4]["approved"].GetBoolean());
        Assert.Equal((WeatherCall, true), (frames[5]["callId"].GetString(), frames[5]["client"].GetBoolean()));
        Assert.Equal((SendCall, "denied"), (frames[6]["callId"].GetString(), frames[6]["error"].GetString()));
        Assert.Equal(("done", "completed"), (frames[^1].Type, frames[^1]["status"].GetString()));
    }

    [Fact]
    public async Task OverAgUiTheInterruptAndTheClientsCallEndTheResponseAndOneInputAnswersBoth()
    {
        var model = new MixedTurnChatClient();
        await using var app = App().WithServices(s => s.AddSingleton<IChatClient>(model));
        var client = app.CreateSocketClient();
        var question = $$"""{"id":"u1","role":"user","content":"{{Question}}"}""";

        var first = await AgUiAsync(client, $$"""{"threadId":"th-mix","runId":"run-1","messages":[{{question}}],"tools":{{Tools}}}""");
        var starts = first.Where(e => Type(e) == "TOOL_CALL_START").ToList();
        Assert.Equal([SendCall, WeatherCall], starts.Select(e => e.GetProperty("toolCallId").GetString()));
        Assert.Equal("RUN_FINISHED", Type(first[^1]));
        var interrupt = first[^1].GetProperty("outcome").GetProperty("interrupts").EnumerateArray().Single(); // the approval's; the client's call is no interrupt
        Assert.Equal(SendCall, interrupt.GetProperty("toolCallId").GetString());
        var parent = starts[0].GetProperty("parentMessageId").GetString()!;
        var runId = parent[..parent.LastIndexOf("-m", StringComparison.Ordinal)];
        Assert.Equal("waiting", (await client.GetRunAsync(runId)).GetProperty("status").GetString());

        // An input with the interrupt's answer but not the client's result is refused, and the run still waits.
        var resume = $$$"""[{"interruptId":"{{{interrupt.GetProperty("id").GetString()}}}","status":"resolved","payload":{"approved":true}}]""";
        using (var partial = await client.OpenPostAsync(AgUiPath, $$"""{"threadId":"th-mix","runId":"run-2","messages":[{{question}}],"resume":{{resume}},"tools":{{Tools}}}"""))
            Assert.Equal(HttpStatusCode.BadRequest, partial.StatusCode);
        Assert.Equal("waiting", (await client.GetRunAsync(runId)).GetProperty("status").GetString());

        var assistant = $$$"""{"id":"a1","role":"assistant","toolCalls":[{"id":"{{{SendCall}}}","type":"function","function":{"name":"send_report","arguments":"{}"}},{"id":"{{{WeatherCall}}}","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Lisbon\"}"}}]}""";
        var tool = $$"""{"id":"t1","role":"tool","toolCallId":"{{WeatherCall}}","content":{{JsonSerializer.Serialize(Weather)}}}""";
        var second = await AgUiAsync(client, $$"""{"threadId":"th-mix","runId":"run-3","messages":[{{question}},{{assistant}},{{tool}}],"resume":{{resume}},"tools":{{Tools}}}""");

        Assert.Equal("""{"type":"RUN_STARTED","threadId":"th-mix","runId":"run-3"}""", second[0].GetRawText());
        Assert.DoesNotContain(second, e => Type(e) == "TOOL_CALL_START");
        var result = second.Single(e => Type(e) == "TOOL_CALL_RESULT"); // the report's; the client has its own
        Assert.Equal(SendCall, result.GetProperty("toolCallId").GetString());
        var text = string.Concat(second.Where(e => Type(e) == "TEXT_MESSAGE_CONTENT").Select(e => e.GetProperty("delta").GetString()));
        Assert.Contains($"[{WeatherCall}: {Weather}]", text);
        Assert.Equal("RUN_FINISHED", Type(second[^1]));
        Assert.False(second[^1].TryGetProperty("outcome", out _));
        Assert.Single(app.Services.GetRequiredService<SentReports>().All);
        Assert.Equal("completed", (await client.GetRunAsync(runId)).GetProperty("status").GetString());
        Contiguous(await client.GetFramesAsync($"/runs/{runId}/events"));
    }

    [Fact]
    public async Task AnApprovalNobodyDecidesTimesOutAndTheClientsResultStillReachesTheModel()
    {
        var model = new MixedTurnChatClient();
        await using var app = App().With("Runs:ApprovalTimeoutSeconds", "6").WithServices(s => s.AddSingleton<IChatClient>(model));
        var client = app.CreateSocketClient();
        var (runId, approvalId) = await AskOverUiAsync(client, "chat-mix-3");

        using var answered = await client.OpenPostAsync(ChatPath, Answer("chat-mix-3", runId, approvalId, approved: null, output: Weather));
        var parts = await ClientToolTests.PartsAsync(answered); // goes on when the approval times out
        Assert.Equal("completed", parts[^1].GetProperty("messageMetadata").GetProperty("status").GetString());

        var frames = await client.GetFramesAsync($"/runs/{runId}/events", timeoutSeconds: 60);
        Contiguous(frames);
        var decided = frames.Single(f => f.Type == "approval");
        Assert.Equal((false, "timeout"), (decided["approved"].GetBoolean(), decided["reason"].GetString()));
        var results = frames.Where(f => f.Type == "tool-result").ToDictionary(f => f["callId"].GetString()!);
        Assert.Equal(24, results[WeatherCall]["result"].GetProperty("tempC").GetInt32());
        Assert.Equal("denied", results[SendCall]["error"].GetString());
        Assert.Empty(app.Services.GetRequiredService<SentReports>().All);
        Assert.Equal(24, model.LastResults()[WeatherCall].GetProperty("tempC").GetInt32());
        Assert.Equal(("done", "completed"), (frames[^1].Type, frames[^1]["status"].GetString()));
    }

    [Fact]
    public async Task AClientResultThatNeverComesTimesOutAndTheApprovedReportIsSentOnce()
    {
        var model = new MixedTurnChatClient();
        await using var app = App().With("Runs:ApprovalTimeoutSeconds", "6").WithServices(s => s.AddSingleton<IChatClient>(model));
        var client = app.CreateSocketClient();
        var (runId, approvalId) = await AskOverUiAsync(client, "chat-mix-4");

        await DecideOverRunsAsync(client, runId, approvalId);
        var frames = await client.GetFramesAsync($"/runs/{runId}/events", timeoutSeconds: 60);

        Contiguous(frames);
        Assert.True(frames.Single(f => f.Type == "approval")["approved"].GetBoolean());
        var results = frames.Where(f => f.Type == "tool-result").ToDictionary(f => f["callId"].GetString()!);
        Assert.Equal(("timeout", true), (results[WeatherCall]["error"].GetString(), results[WeatherCall]["client"].GetBoolean()));
        Assert.True(results[SendCall]["result"].GetProperty("sent").GetBoolean());
        Assert.Single(app.Services.GetRequiredService<SentReports>().All);
        Assert.Contains("the client gave no result", model.LastResults()[WeatherCall].GetString());
        Assert.Equal(("done", "completed"), (frames[^1].Type, frames[^1]["status"].GetString()));
    }

    [Fact]
    public async Task OnRedisTheSecondAnswerMayLandOnTheOtherInstance()
    {
        await using var redis = await RedisServer.StartAsync();
        var (modelA, modelB) = (new MixedTurnChatClient(), new MixedTurnChatClient());
        await using var a = redis.Instance(App().WithServices(s => s.AddSingleton<IChatClient>(modelA)));
        await using var b = redis.Instance(App().WithServices(s => s.AddSingleton<IChatClient>(modelB)));
        var (onA, onB) = (a.CreateSocketClient(), b.CreateSocketClient());
        var (runId, approvalId) = await AskOverUiAsync(onA, "chat-mix-5");
        using var response = await onA.OpenAsync($"/runs/{runId}/events");
        await using var frames = response.ReadFramesAsync().GetAsyncEnumerator();
        var read = await ReadUntilAsync(frames, "approval-request");
        read.AddRange(await ReadUntilAsync(frames, "tool-call"));

        await DecideOverRunsAsync(onA, runId, approvalId);
        using (var answered = await onB.OpenPostAsync(ChatPath, Answer("chat-mix-5", runId, approvalId, approved: null, output: Weather)))
            await CompletesAsync(answered);
        read.AddRange(await ReadToEndAsync(frames));

        Contiguous(read);
        Assert.Equal(["approval", "tool-result", "tool-result"], read.SkipWhile(f => f.Type != "approval").Take(3).Select(f => f.Type));
        Assert.Single(b.Services.GetRequiredService<SentReports>().All); // B took the last answer, and the run
        Assert.Empty(a.Services.GetRequiredService<SentReports>().All);
        Assert.Equal(24, modelB.LastResults()[WeatherCall].GetProperty("tempC").GetInt32());
        Assert.Equal(("done", "completed"), (read[^1].Type, read[^1]["status"].GetString()));
        var recorded = await onB.GetFramesAsync($"/runs/{runId}/events?after=0");
        Assert.Equal(recorded.Select(f => (f.Id, f.Type, f.Data)), read.Select(f => (f.Id, f.Type, f.Data)));
    }

    /// <summary>Approves send_report over our API: taken, the same again taken as it stands, the other decision refused.</summary>
    private static async Task DecideOverRunsAsync(HttpClient client, string runId, string approvalId)
    {
        using (var decided = await DecideAsync(client, runId, approvalId, approved: true, "fine"))
            Assert.Equal(HttpStatusCode.OK, decided.StatusCode);
        using (var other = await DecideAsync(client, runId, approvalId, approved: false))
            Assert.Equal(HttpStatusCode.Conflict, other.StatusCode);
    }

    /// <summary>A UI response that continues the message to the run's end: the report's result, the model's answer, completed.</summary>
    private static async Task CompletesAsync(HttpResponseMessage response)
    {
        var parts = await ClientToolTests.PartsAsync(response);
        Assert.Equal((SendCall, true), (parts.Single(p => Type(p) == "tool-output-available").GetProperty("toolCallId").GetString(),
            parts.Single(p => Type(p) == "tool-output-available").GetProperty("output").GetProperty("sent").GetBoolean()));
        Assert.DoesNotContain(parts, p => Type(p) == "tool-input-available"); // the client has both calls, and its own result
        Assert.Contains($"[{WeatherCall}: {Weather}]", string.Concat(parts.Where(p => Type(p) == "text-delta").Select(p => p.GetProperty("delta").GetString())));
        Assert.Equal("completed", parts[^1].GetProperty("messageMetadata").GetProperty("status").GetString());
    }

    /// <summary>The first request: the chat's question with the client's tool; the response ends where the run waits.</summary>
    private static async Task<(string RunId, string ApprovalId)> AskOverUiAsync(HttpClient client, string chatId)
    {
        using var asked = await client.OpenPostAsync(ChatPath, new JsonObject
        {
            ["id"] = chatId,
            ["messages"] = new JsonArray(User()),
            ["tools"] = JsonNode.Parse(Tools),
        }.ToJsonString());
        var parts = await ClientToolTests.PartsAsync(asked);
        Assert.Equal(["tool-input-available", "tool-approval-request", "tool-input-available", "finish-step", "finish"], parts[^5..].Select(Type));
        Assert.Equal((SendCall, SendCall, WeatherCall), (parts[^5].GetProperty("toolCallId").GetString(), parts[^4].GetProperty("toolCallId").GetString(),
            parts[^3].GetProperty("toolCallId").GetString()));
        Assert.Equal("waiting", parts[^1].GetProperty("messageMetadata").GetProperty("status").GetString());
        return (parts[0].GetProperty("messageId").GetString()!, parts[^4].GetProperty("approvalId").GetString()!);
    }

    private static JsonObject User() => new()
    {
        ["id"] = "u1",
        ["role"] = "user",
        ["parts"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = Question }),
    };

    /// <summary>
    /// The chat's next request: the assistant message with send_report's part (answered when <paramref name="approved"/> is
    /// given, else still asking) and get_weather's (with its output when <paramref name="output"/> is given).
    /// </summary>
    private static string Answer(string chatId, string messageId, string approvalId, bool? approved, string? output)
    {
        var send = new JsonObject
        {
            ["type"] = "dynamic-tool", ["toolName"] = "send_report", ["toolCallId"] = SendCall,
            ["input"] = new JsonObject { ["to"] = "cfo@example.com", ["subject"] = "Report" },
            ["state"] = approved is null ? "approval-requested" : "approval-responded",
            ["approval"] = approved is null ? new JsonObject { ["id"] = approvalId } : new JsonObject { ["id"] = approvalId, ["approved"] = approved },
        };
        var weather = new JsonObject
        {
            ["type"] = "dynamic-tool", ["toolName"] = "get_weather", ["toolCallId"] = WeatherCall,
            ["input"] = new JsonObject { ["city"] = "Lisbon" },
            ["state"] = output is null ? "input-available" : "output-available",
        };
        if (output is not null) weather["output"] = JsonNode.Parse(output);
        return new JsonObject
        {
            ["id"] = chatId,
            ["messages"] = new JsonArray(User(), new JsonObject
            {
                ["id"] = messageId,
                ["role"] = "assistant",
                ["parts"] = new JsonArray(new JsonObject { ["type"] = "step-start" }, send, weather),
            }),
            ["tools"] = JsonNode.Parse(Tools),
        }.ToJsonString();
    }

    private static async Task<List<JsonElement>> AgUiAsync(HttpClient client, string body)
    {
        using var response = await client.OpenPostAsync(AgUiPath, body);
        var raw = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, raw);
        return raw.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Where(f => f.StartsWith("data: ", StringComparison.Ordinal))
            .Select(f => JsonDocument.Parse(f["data: ".Length..]).RootElement).ToList();
    }

    private static string Type(JsonElement e) => e.GetProperty("type").GetString()!;

    /// <summary>
    /// A model that, offered the analyst's send_report and the client's get_weather, calls both in its first turn; given
    /// their results, it answers with a text that quotes each (<c>[callId: result]</c>); asked for JSON, it gives a valid report.
    /// </summary>
    private sealed class MixedTurnChatClient : IChatClient
    {
        private static readonly JsonSerializerOptions Compact = new(AIJsonUtilities.DefaultOptions) { WriteIndented = false };

        private readonly ConcurrentQueue<List<ChatMessage>> _calls = new();

        /// <summary>The function results of the last conversation the model was given, by call id.</summary>
        public Dictionary<string, JsonElement> LastResults() =>
            _calls.Last(c => c.Any(m => m.Role == ChatRole.Tool)).SelectMany(m => m.Contents).OfType<FunctionResultContent>()
                .ToDictionary(r => r.CallId, r => JsonSerializer.SerializeToElement(r.Result, AIJsonUtilities.DefaultOptions));

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken);

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
            [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            var conversation = messages.ToList();
            _calls.Enqueue(conversation);
            if (options?.ResponseFormat is ChatResponseFormatJson)
            {
                yield return new ChatResponseUpdate(ChatRole.Assistant,
                    """{"summary":"The weather was read and the report was handled as decided.","findings":["The weather was read."],"recommendations":["Dress for the weather."],"dataSources":["get_weather"]}""");
                yield break;
            }
            var results = conversation.SelectMany(m => m.Contents).OfType<FunctionResultContent>().ToList();
            if (results.Count == 0)
            {
                var send = options!.Tools!.First(t => t.Name.EndsWith("send_report", StringComparison.Ordinal)).Name;
                yield return new ChatResponseUpdate(ChatRole.Assistant, [
                    new FunctionCallContent(SendCall, send, new Dictionary<string, object?> { ["to"] = "cfo@example.com", ["subject"] = "Report" }),
                    new FunctionCallContent(WeatherCall, "get_weather", new Dictionary<string, object?> { ["city"] = "Lisbon" }),
                ]) { FinishReason = ChatFinishReason.ToolCalls };
                yield break;
            }
            foreach (var result in results.OrderBy(r => r.CallId, StringComparer.Ordinal))
                yield return new ChatResponseUpdate(ChatRole.Assistant, $"[{result.CallId}: {JsonSerializer.Serialize(result.Result, Compact)}] ");
        }

        public object? GetService(Type serviceType, object? serviceKey = null) =>
            serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("scripted", null, "mixed-turn") : null;

        public void Dispose()
        {
        }
    }
}
