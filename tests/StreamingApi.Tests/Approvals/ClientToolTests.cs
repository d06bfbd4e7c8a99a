using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Approvals;

/// <summary>
/// Tools the client runs itself, on the wire: offered to the model, a call of one ends the response (AG-UI:
/// <c>TOOL_CALL_*</c> and <c>RUN_FINISHED</c>; UI stream: <c>tool-input-available</c> and <c>finish</c>) while the run
/// waits in the store, and the client's next request brings the result and the same run goes on with it, on any
/// instance. (The real clients' round trips are in tests/frontends/client-tools.test.mjs.)
/// </summary>
public sealed class ClientToolTests
{
    private const string Prompt = "Use get_weather for \\\"Lisbon\\\" and tell me what to wear";

    private const string Tools =
        """[{"name":"get_weather","description":"The weather in a city, where the user is","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}]""";

    private const string Question = $$"""{"id":"u1","role":"user","content":"{{Prompt}}"}""";

    [Fact]
    public async Task AnAgUiCallEndsTheResponseAndTheToolMessageGoesOnWithTheRunOnAnotherInstance()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = redis.Instance(ApprovalTests.App());
        await using var b = redis.Instance(ApprovalTests.App());

        var first = await AgUiAsync(a.CreateSocketClient(), $$"""{"threadId":"th-c1","runId":"run-1","messages":[{{Question}}],"tools":{{Tools}}}""");
        Assert.Equal(["TOOL_CALL_START", "TOOL_CALL_ARGS", "TOOL_CALL_END", "RUN_FINISHED"], first[^4..].Select(Type));
        Assert.Equal("get_weather", first[^4].GetProperty("toolCallName").GetString());
        Assert.Equal("""{"city":"Lisbon"}""", first[^3].GetProperty("delta").GetString());
        Assert.False(first[^1].TryGetProperty("outcome", out _)); // success: no interrupt
        var callId = first[^4].GetProperty("toolCallId").GetString()!;
        var parent = first[^4].GetProperty("parentMessageId").GetString()!;
        var runId = parent[..parent.LastIndexOf("-m", StringComparison.Ordinal)];
        var waiting = await b.CreateClient().GetRunAsync(runId);
        Assert.Equal("waiting", waiting.GetProperty("status").GetString());
        var pending = waiting.GetProperty("output").GetProperty("toolCalls").EnumerateArray().Single();
        Assert.Equal((callId, true, JsonValueKind.Null), (pending.GetProperty("callId").GetString(), pending.GetProperty("client").GetBoolean(),
            pending.GetProperty("elapsedMs").ValueKind));

        var assistant = $$$"""{"id":"a1","role":"assistant","toolCalls":[{"id":"{{{callId}}}","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Lisbon\"}"}}]}""";
        var tool = $$"""{"id":"t1","role":"tool","toolCallId":"{{callId}}","content":"{\"tempC\":31,\"sky\":\"sunny\"}"}""";
        var second = await AgUiAsync(b.CreateSocketClient(), $$"""{"threadId":"th-c1","runId":"run-2","messages":[{{Question}},{{assistant}},{{tool}}],"tools":{{Tools}}}""");

        Assert.Equal("""{"type":"RUN_STARTED","threadId":"th-c1","runId":"run-2"}""", second[0].GetRawText());
        Assert.DoesNotContain(second, e => Type(e) is "TOOL_CALL_START" or "TOOL_CALL_RESULT"); // the client has both
        var text = string.Concat(second.Where(e => Type(e) == "TEXT_MESSAGE_CONTENT").Select(e => e.GetProperty("delta").GetString()));
        Assert.Contains("""The get_weather tool answered {"tempC":31,"sky":"sunny"}""", text);
        Assert.Equal("RUN_FINISHED", Type(second[^1]));
        var run = await a.CreateClient().GetRunAsync(runId);
        Assert.Equal("completed", run.GetProperty("status").GetString());
        var answered = run.GetProperty("output").GetProperty("toolCalls").EnumerateArray().Single();
        Assert.Equal(31, answered.GetProperty("result").GetProperty("tempC").GetInt32());

        // Our own protocol has the whole run: the call marked as the client's, its result, the answer after it.
        var frames = await a.CreateSocketClient().GetFramesAsync($"/runs/{runId}/events");
        ApprovalTests.Contiguous(frames);
        var call = frames.Single(f => f.Type == "tool-call");
        var result = frames.Single(f => f.Type == "tool-result");
        Assert.Equal((true, true, callId), (call["client"].GetBoolean(), result["client"].GetBoolean(), result["callId"].GetString()));
        Assert.True(frames.IndexOf(result) < frames.FindIndex(f => f.Type == "text"));
    }

    [Fact]
    public async Task AnAgUiInputThatLeavesACallUnansweredIsAProblemAndTheRunStillWaits()
    {
        await using var app = ApprovalTests.App();
        var client = app.CreateSocketClient();
        var first = await AgUiAsync(client, $$"""{"threadId":"th-c2","runId":"run-1","messages":[{{Question}}],"tools":{{Tools}}}""");
        var parent = first[^4].GetProperty("parentMessageId").GetString()!;

        using var other = await client.OpenPostAsync("/api/agents/writer/ag-ui",
            $$"""{"threadId":"th-c2","runId":"run-2","messages":[{{Question}},{"id":"t1","role":"tool","toolCallId":"not-that-call","content":"20"}]}""");

        Assert.Equal(HttpStatusCode.BadRequest, other.StatusCode);
        Assert.Equal("application/problem+json", other.Content.Headers.ContentType?.MediaType);
        var problem = (await other.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("messages")[0].GetString();
        Assert.Contains(first[^4].GetProperty("toolCallId").GetString()!, problem); // the call it waits for
        Assert.Equal("waiting", (await client.GetRunAsync(parent[..parent.LastIndexOf("-m", StringComparison.Ordinal)])).GetProperty("status").GetString());
    }

    [Fact]
    public async Task TheUiStreamEndsAtTheCallAndTheOutputContinuesTheSameMessage()
    {
        await using var app = ApprovalTests.App();
        var client = app.CreateSocketClient();

        using var asked = await client.OpenPostAsync("/api/chat", Ask("chat-c1"));
        var parts = await PartsAsync(asked);
        Assert.Equal(["tool-input-available", "finish-step", "finish"], parts[^3..].Select(Type));
        Assert.Equal(("get_weather", "Lisbon"), (parts[^3].GetProperty("toolName").GetString(), parts[^3].GetProperty("input").GetProperty("city").GetString()));
        Assert.Equal("waiting", parts[^1].GetProperty("messageMetadata").GetProperty("status").GetString());
        var messageId = parts[0].GetProperty("messageId").GetString()!;
        var callId = parts[^3].GetProperty("toolCallId").GetString()!;
        Assert.Equal("waiting", (await client.GetRunAsync(messageId)).GetProperty("status").GetString());

        using var answered = await client.OpenPostAsync("/api/chat", Output("chat-c1", messageId, callId, """{"tempC":12,"sky":"rain"}"""));
        var continued = await PartsAsync(answered);

        Assert.Equal($$"""{"type":"start","messageId":"{{messageId}}"}""", continued[0].GetRawText());
        Assert.Equal("start-step", Type(continued[1]));
        Assert.DoesNotContain(continued, p => Type(p) is "tool-input-available" or "tool-output-available"); // the client has the call and its output
        var text = string.Concat(continued.Where(p => Type(p) == "text-delta").Select(p => p.GetProperty("delta").GetString()));
        Assert.Contains("""The get_weather tool answered {"tempC":12,"sky":"rain"}""", text);
        Assert.Equal("completed", continued[^1].GetProperty("messageMetadata").GetProperty("status").GetString());

        // The same output again is answered as it stands; another one cannot change it.
        using (var again = await client.OpenPostAsync("/api/chat", Output("chat-c1", messageId, callId, """{"tempC":12,"sky":"rain"}""")))
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        using var changed = await client.OpenPostAsync("/api/chat", Output("chat-c1", messageId, callId, """{"tempC":30}"""));
        Assert.Equal(HttpStatusCode.Conflict, changed.StatusCode);
        Assert.Equal(callId, (await changed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("toolCallId").GetString());
    }

    [Fact]
    public async Task ACallWithNoResultInTimeGoesOnWithAnErrorAndNoApprovalCanAnswerIt()
    {
        await using var app = ApprovalTests.App().With("Runs:ApprovalTimeoutSeconds", "2");
        var client = app.CreateSocketClient();
        using var asked = await client.OpenPostAsync("/api/chat", Ask("chat-c2"));
        var parts = await PartsAsync(asked);
        var runId = parts[0].GetProperty("messageId").GetString()!;
        var callId = parts[^3].GetProperty("toolCallId").GetString()!;

        // A person's decision endpoint cannot answer a client's call.
        using (var decided = await ApprovalTests.DecideAsync(client, runId, "tool:" + callId, approved: true))
            Assert.Equal(HttpStatusCode.NotFound, decided.StatusCode);

        var frames = await client.GetFramesAsync($"/runs/{runId}/events", timeoutSeconds: 60);
        var result = frames.Single(f => f.Type == "tool-result");
        Assert.Equal((callId, "timeout", true), (result["callId"].GetString(), result["error"].GetString(), result["client"].GetBoolean()));
        Assert.Contains("the client gave no result", frames.Text(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(("done", "completed"), (frames[^1].Type, frames[^1]["status"].GetString()));
    }

    [Fact]
    public async Task AWaitingRunHoldsNoneOfItsCallersConcurrentRunsSoItsAnswerIsNotRefused()
    {
        await using var app = ApprovalTests.App().With("RateLimits:ConcurrentRuns", "1");
        var client = app.CreateSocketClient();
        using var asked = await client.OpenPostAsync("/api/chat", Ask("chat-c4"));
        var parts = await PartsAsync(asked);
        var (messageId, callId) = (parts[0].GetProperty("messageId").GetString()!, parts[^3].GetProperty("toolCallId").GetString()!);
        await app.WaitForNoActiveRunsAsync();

        // Another run of the same caller may start while the first waits, and the answer continues the first.
        var other = await client.GetFramesAsync("/stream/text?prompt=hello");
        Assert.Equal(("done", "completed"), (other[^1].Type, other[^1]["status"].GetString()));
        using var answered = await client.OpenPostAsync("/api/chat", Output("chat-c4", messageId, callId, "12"));
        Assert.Equal("completed", (await PartsAsync(answered))[^1].GetProperty("messageMetadata").GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("""[{"name":"has space"}]""")]
    [InlineData("""[{"name":"a"},{"name":"a"}]""")]
    [InlineData("""[{"name":"a","parameters":"no"}]""")]
    [InlineData("""{"name":"a"}""")]
    public async Task ToolsThatAreNotAListOfNamedSchemasAreRefusedBeforeAnyStream(string tools)
    {
        await using var app = ApprovalTests.App();
        var client = app.CreateSocketClient();

        using var agUi = await client.OpenPostAsync("/api/agents/writer/ag-ui", $$"""{"threadId":"t","runId":"r","messages":[{{Question}}],"tools":{{tools}}}""");
        using var ui = await client.OpenPostAsync("/api/chat", Ask("chat-c3", tools));

        foreach (var response in new[] { agUi, ui })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("Tools", out _));
        }
    }

    private static string Ask(string chatId, string tools = Tools) => new JsonObject
    {
        ["id"] = chatId,
        ["messages"] = new JsonArray(User()),
        ["tools"] = JsonNode.Parse(tools),
    }.ToJsonString();

    private static JsonObject User() => new()
    {
        ["id"] = "u1",
        ["role"] = "user",
        ["parts"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = "Use get_weather for \"Lisbon\" and tell me what to wear" }),
    };

    /// <summary>The request addToolOutput makes: the assistant message with the client's tool part given its output.</summary>
    private static string Output(string chatId, string messageId, string callId, string output) => new JsonObject
    {
        ["id"] = chatId,
        ["messages"] = new JsonArray(User(), new JsonObject
        {
            ["id"] = messageId,
            ["role"] = "assistant",
            ["parts"] = new JsonArray(new JsonObject { ["type"] = "step-start" }, new JsonObject
            {
                ["type"] = "dynamic-tool", ["toolName"] = "get_weather", ["toolCallId"] = callId, ["state"] = "output-available",
                ["input"] = new JsonObject { ["city"] = "Lisbon" }, ["output"] = JsonNode.Parse(output),
            }),
        }),
        ["tools"] = JsonNode.Parse(Tools),
    }.ToJsonString();

    private static async Task<List<JsonElement>> AgUiAsync(HttpClient client, string body)
    {
        using var response = await client.OpenPostAsync("/api/agents/writer/ag-ui", body);
        var raw = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, raw);
        return raw.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Where(f => f.StartsWith("data: ", StringComparison.Ordinal))
            .Select(f => JsonDocument.Parse(f["data: ".Length..]).RootElement).ToList();
    }

    /// <summary>A whole UI message stream response: its parts, after checking the framing and the [DONE] at its end.</summary>
    internal static async Task<List<JsonElement>> PartsAsync(HttpResponseMessage response)
    {
        var raw = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, raw);
        var frames = raw.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Where(f => f.StartsWith("data: ", StringComparison.Ordinal)).ToList();
        Assert.Equal("data: [DONE]", frames[^1]);
        return frames[..^1].Select(f => JsonDocument.Parse(f["data: ".Length..]).RootElement).ToList();
    }

    private static string Type(JsonElement e) => e.GetProperty("type").GetString()!;
}
