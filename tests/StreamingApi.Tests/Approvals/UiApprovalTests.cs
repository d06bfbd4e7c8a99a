using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using StreamingApi.Agents.Tools;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Approvals;

/// <summary>
/// Tool approval over the Vercel AI SDK's UI message stream, on the wire: the response ends with the request while the
/// run waits, and the chat's next request, with the decision in the assistant message, continues the same run into the
/// same message; decisions that cannot be taken are problem details before any part.
/// </summary>
public sealed class UiApprovalTests
{
    private const string Path = "/api/agents/analyst/chat";

    private static string Ask(string chatId) => new JsonObject
    {
        ["id"] = chatId,
        ["messages"] = new JsonArray(User()),
        ["trigger"] = "submit-message",
    }.ToJsonString();

    private static JsonObject User() => new()
    {
        ["id"] = "u1",
        ["role"] = "user",
        ["parts"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = ApprovalTests.Prompt }),
    };

    /// <summary>The request addToolApprovalResponse makes: the assistant message with the tool part answered.</summary>
    private static string Answer(string chatId, string messageId, string toolCallId, string approvalId, bool approved, string? reason = null)
    {
        var approval = new JsonObject { ["id"] = approvalId, ["approved"] = approved };
        if (reason is not null) approval["reason"] = reason;
        return new JsonObject
        {
            ["id"] = chatId,
            ["messages"] = new JsonArray(User(), new JsonObject
            {
                ["id"] = messageId,
                ["role"] = "assistant",
                ["parts"] = new JsonArray(new JsonObject { ["type"] = "step-start" }, new JsonObject
                {
                    ["type"] = "dynamic-tool", ["toolName"] = "send_report", ["toolCallId"] = toolCallId, ["state"] = "approval-responded",
                    ["input"] = new JsonObject { ["to"] = "cfo@example.com" }, ["approval"] = approval,
                }),
            }),
            ["trigger"] = "submit-message",
            ["messageId"] = messageId,
        }.ToJsonString();
    }

    /// <summary>A whole UI message stream response: its parts, after checking the framing and the [DONE] at its end.</summary>
    private static async Task<List<JsonElement>> PartsAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var frames = (await response.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Where(f => f.StartsWith("data: ", StringComparison.Ordinal)).ToList();
        Assert.Equal("data: [DONE]", frames[^1]);
        return frames[..^1].Select(f => JsonDocument.Parse(f["data: ".Length..]).RootElement).ToList();
    }

    private static string TypeOf(JsonElement part) => part.GetProperty("type").GetString()!;

    private static async Task<(string RunId, string CallId, string ApprovalId)> AskAsync(HttpClient client, string chatId)
    {
        using var response = await client.OpenPostAsync(Path, Ask(chatId));
        var parts = await PartsAsync(response);
        Assert.Equal(["tool-input-available", "tool-approval-request", "finish-step", "finish"], parts[^4..].Select(TypeOf));
        var request = parts[^3];
        return (parts[0].GetProperty("messageId").GetString()!, request.GetProperty("toolCallId").GetString()!, request.GetProperty("approvalId").GetString()!);
    }

    [Fact]
    public async Task TheNextRequestDecidesAndTheResponseContinuesTheSameMessageFromTheDecision()
    {
        await using var app = ApprovalTests.App();
        var client = app.CreateSocketClient();

        var (runId, callId, approvalId) = await AskAsync(client, "chat-ui-1");
        Assert.Equal("waiting", (await client.GetRunAsync(runId)).GetProperty("status").GetString());
        Assert.Empty(app.Services.GetRequiredService<SentReports>().All);

        using var response = await client.OpenPostAsync(Path, Answer("chat-ui-1", runId, callId, approvalId, approved: true, "looks right"));
        var parts = await PartsAsync(response);

        Assert.Equal($$"""{"type":"start","messageId":"{{runId}}"}""", parts[0].GetRawText());
        Assert.Equal(("tool-output-available", callId), (TypeOf(parts[1]), parts[1].GetProperty("toolCallId").GetString()));
        Assert.True(parts[1].GetProperty("output").GetProperty("sent").GetBoolean());
        Assert.Equal("start-step", TypeOf(parts[2]));
        Assert.Equal("completed", parts[^1].GetProperty("messageMetadata").GetProperty("status").GetString());
        Assert.Single(app.Services.GetRequiredService<SentReports>().All);
        // Our own protocol still has the run whole, with the decision.
        var frames = await client.GetFramesAsync($"/runs/{runId}/events");
        ApprovalTests.Contiguous(frames);
        var decided = frames.Single(f => f.Type == "approval");
        Assert.Equal((true, "looks right"), (decided["approved"].GetBoolean(), decided["reason"].GetString()));
    }

    [Fact]
    public async Task ResumingAWaitingChatGivesItsMessageUpToTheRequest()
    {
        await using var app = ApprovalTests.App();
        var client = app.CreateSocketClient();
        var (runId, _, approvalId) = await AskAsync(client, "chat-ui-2");

        using var resumed = await client.GetAsync($"{Path}/chat-ui-2/stream", HttpCompletionOption.ResponseHeadersRead);
        var parts = await PartsAsync(resumed);

        Assert.Equal(runId, parts[0].GetProperty("messageId").GetString());
        Assert.Equal(approvalId, parts.Single(p => TypeOf(p) == "tool-approval-request").GetProperty("approvalId").GetString());
        Assert.Equal("waiting", parts[^1].GetProperty("messageMetadata").GetProperty("status").GetString());
    }

    [Fact]
    public async Task ADecisionForAnotherChatOrPrincipalIs404AndAConflictingOneIs409()
    {
        await using var app = ApprovalTests.App().WithAliceAndBob();
        var (alice, bob) = (app.CreateClientWithKey(TestApiKeys.Alice), app.CreateClientWithKey(TestApiKeys.Bob));
        var (runId, callId, approvalId) = await AskAsync(alice, "chat-ui-3");

        using (var otherChat = await alice.OpenPostAsync(Path, Answer("chat-ui-other", runId, callId, approvalId, approved: true)))
            Assert.Equal((HttpStatusCode.NotFound, "application/problem+json"), (otherChat.StatusCode, otherChat.Content.Headers.ContentType?.MediaType));
        using (var bobs = await bob.OpenPostAsync(Path, Answer("chat-ui-3", runId, callId, approvalId, approved: true)))
            Assert.Equal(HttpStatusCode.NotFound, bobs.StatusCode);
        using (var unknown = await alice.OpenPostAsync(Path, Answer("chat-ui-3", runId, callId, "no-such-approval", approved: true)))
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("waiting", (await alice.GetRunAsync(runId)).GetProperty("status").GetString());

        using (var denied = await alice.OpenPostAsync(Path, Answer("chat-ui-3", runId, callId, approvalId, approved: false)))
            Assert.Equal("tool-output-denied", TypeOf((await PartsAsync(denied))[1]));
        using var changed = await alice.OpenPostAsync(Path, Answer("chat-ui-3", runId, callId, approvalId, approved: true));
        Assert.Equal((HttpStatusCode.Conflict, "application/problem+json"), (changed.StatusCode, changed.Content.Headers.ContentType?.MediaType));
        Assert.Empty(app.Services.GetRequiredService<SentReports>().All);
    }

    [Fact]
    public async Task ADecisionAfterTheTimeoutIs410()
    {
        await using var app = ApprovalTests.App().With("Runs:ApprovalTimeoutSeconds", "1");
        var client = app.CreateSocketClient();
        var (runId, callId, approvalId) = await AskAsync(client, "chat-ui-4");
        await Eventually.TrueAsync(async () => (await client.GetRunAsync(runId)).GetProperty("status").GetString() == "completed", "the run ends denied");

        using var late = await client.OpenPostAsync(Path, Answer("chat-ui-4", runId, callId, approvalId, approved: true));

        Assert.Equal((HttpStatusCode.Gone, "application/problem+json"), (late.StatusCode, late.Content.Headers.ContentType?.MediaType));
    }

    [Fact]
    public async Task WithRedisTheDecisionMayComeToAnotherInstanceWhichContinuesTheMessage()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = redis.Instance(ApprovalTests.App());
        await using var b = redis.Instance(ApprovalTests.App());
        var (runId, callId, approvalId) = await AskAsync(a.CreateSocketClient(), "chat-ui-6");

        using var response = await b.CreateSocketClient().OpenPostAsync(Path, Answer("chat-ui-6", runId, callId, approvalId, approved: true));
        var parts = await PartsAsync(response);

        Assert.Equal($$"""{"type":"start","messageId":"{{runId}}"}""", parts[0].GetRawText());
        Assert.Equal(("tool-output-available", "start-step"), (TypeOf(parts[1]), TypeOf(parts[2])));
        Assert.Equal("completed", parts[^1].GetProperty("messageMetadata").GetProperty("status").GetString());
        Assert.Single(b.Services.GetRequiredService<SentReports>().All);
    }

    [Fact]
    public async Task AnAiSdk5ClientByItsUserAgentGetsAnErrorAndTheRunIsStopped()
    {
        await using var app = ApprovalTests.App();
        var client = app.CreateSocketClient();
        client.DefaultRequestHeaders.UserAgent.ParseAdd("ai-sdk/5.0.0");

        using var response = await client.OpenPostAsync(Path, Ask("chat-ui-5"));
        var parts = await PartsAsync(response);

        Assert.Equal("error", TypeOf(parts[^1]));
        Assert.DoesNotContain(parts, p => TypeOf(p).Contains("approval", StringComparison.Ordinal));
        var runId = parts[0].GetProperty("messageId").GetString()!;
        await Eventually.TrueAsync(async () => (await client.GetRunAsync(runId)).GetProperty("status").GetString() == "cancelled", "the run is stopped");
    }
}
