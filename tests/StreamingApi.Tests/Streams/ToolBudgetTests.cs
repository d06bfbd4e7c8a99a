using System.Text.Json;
using Serilog.Events;
using StreamingApi.Tests.Infrastructure;
using StreamingApi.Tests.Upstreams;

namespace StreamingApi.Tests.Streams;

/// <summary>A model that never stops calling tools ends its run with a tool-limit error, never silently and never completed.</summary>
public sealed class ToolBudgetTests
{
    [Fact]
    public async Task AGeminiStuckOnOneToolStopsAtMaxModelTurnsWithAToolLimitError()
    {
        await using var upstream = await LoopbackUpstream.StartAsync((_, http) => Captures.ReplaySseAsync(http, "gemini/stuck-call.sse"));
        await using var app = ModelApplications.Gemini(upstream); // default limits: 20 tool calls, 8 model turns

        var frames = await app.CreateClient().GetFramesAsync("/stream/flaky?prompt=Check%20stock%20in%20Europe&fail=false");

        // Turns 1 to 7 each ran their call; the 8th asked again, with no turn left to read the answer: its call is
        // announced as the model asked for it, and its result says it was not run.
        Assert.Equal(8, upstream.Requests.Count);
        string[] callAndResult = ["tool-call", "tool-result"];
        Assert.Equal(["run", .. Enumerable.Repeat(callAndResult, 8).SelectMany(pair => pair), "error", "done"], frames.Shape());
        Assert.Equal(8, frames.Where(f => f.Type == "tool-call").Select(f => f["callId"].GetString()).Distinct().Count());
        var results = frames.Where(f => f.Type == "tool-result").ToList();
        Assert.All(results[..7], r => Assert.False(HasError(r)));
        AssertNotRun(results[^1], frames[^4]);
        var error = frames[^2];
        Assert.Equal("tool-limit", error["type"].GetString());
        Assert.Equal(502, error["status"].GetInt32());
        Assert.Contains("8 model turns", error["detail"].GetString());
        Assert.Contains("Agent:MaxModelTurns", error["detail"].GetString());
        Assert.Equal("failed", frames[^1]["status"].GetString());
        Assert.Equal("tool-limit", frames[^1]["reason"].GetString());

        var runId = frames[0]["runId"].GetString();
        var failure = await app.Logs.WaitForAsync(e => e.Level == LogEventLevel.Error && LogCapture.Scalar(e, "RunId") == runId);
        Assert.Contains("Agent:MaxModelTurns", failure.Exception!.Message);
        var ended = await app.Logs.WaitForAsync(LogCapture.IsRunEnded);
        Assert.Equal(runId, LogCapture.Scalar(ended, "RunId"));
        Assert.Equal("tool-limit", LogCapture.Scalar(ended, "Reason"));
        Assert.Equal("8", LogCapture.Scalar(ended, "ToolCalls")); // the calls the model asked for
        await app.WaitForNoActiveRunsAsync();
    }

    [Fact]
    public async Task AModelAskingForTwoCallsATurnStopsAtMaxToolCalls()
    {
        await using var upstream = await LoopbackUpstream.StartAsync((_, http) => Captures.ReplaySseAsync(http, "openai/stuck-calls.sse"));
        await using var app = ModelApplications.OpenAI(upstream).With("Agent:MaxToolCalls", "3");

        var frames = await app.CreateClient().GetFramesAsync("/stream/flaky?prompt=Check%20stock%20in%20Europe%20and%20Asia&fail=false");

        // Turn 1 ran two calls, turn 2 one more; the fourth was refused (its result says so) and the model was not asked again.
        Assert.Equal(2, upstream.Requests.Count);
        Assert.Equal(4, frames.Count(f => f.Type == "tool-call"));
        var results = frames.Where(f => f.Type == "tool-result").ToList();
        Assert.Equal(4, results.Count);
        Assert.Equal(3, results.Count(r => !HasError(r) && r["result"].ValueKind == JsonValueKind.Object));
        var refused = Assert.Single(results, r => HasError(r));
        AssertNotRun(refused, frames.Single(f => f.Type == "tool-call" && f["callId"].GetString() == refused["callId"].GetString()));
        // The server numbers its calls call_0, call_1 in every answer; each of ours still has an id of its own.
        Assert.Equal(4, frames.Where(f => f.Type == "tool-call").Select(f => f["callId"].GetString()).Distinct().Count());
        Assert.Equal(["error", "done"], frames.TakeLast(2).Select(f => f.Type));
        var error = frames[^2];
        Assert.Equal("tool-limit", error["type"].GetString());
        Assert.Equal(502, error["status"].GetInt32());
        Assert.Contains("3 tool calls", error["detail"].GetString());
        Assert.Contains("Agent:MaxToolCalls", error["detail"].GetString());
        Assert.Equal("tool-limit", frames[^1]["reason"].GetString());

        // The second request answered each call of the first under the id it was sent with.
        var messages = upstream.Requests[1].Json["messages"]!.AsArray();
        var sent = messages.Single(m => m!["role"]!.GetValue<string>() == "assistant")!["tool_calls"]!.AsArray().Select(c => c!["id"]!.GetValue<string>());
        var answered = messages.Where(m => m!["role"]!.GetValue<string>() == "tool").Select(m => m!["tool_call_id"]!.GetValue<string>());
        Assert.Equal(sent, answered);
    }

    [Fact]
    public async Task ABudgetAboveSemanticKernelsOwnIterationCapStillEndsWithAToolLimitError()
    {
        await using var upstream = await LoopbackUpstream.StartAsync((_, http) => Captures.ReplaySseAsync(http, "gemini/stuck-call.sse"));
        await using var app = ModelApplications.Gemini(upstream)
            .With("Agent:MaxToolCalls", "1000")
            .With("Agent:MaxModelTurns", "130"); // Semantic Kernel's function invoker stops silently after 128 of its own

        var frames = await app.CreateClient().GetFramesAsync("/stream/flaky?prompt=Check%20stock%20in%20Europe&fail=false", timeoutSeconds: 120);

        Assert.Equal(130, upstream.Requests.Count);
        Assert.Equal(130, frames.Count(f => f.Type == "tool-result"));
        Assert.Equal(129, frames.Count(f => f.Type == "tool-result" && !HasError(f)));
        Assert.Equal("tool-limit", frames[^2]["type"].GetString());
        Assert.Contains("130 model turns", frames[^2]["detail"].GetString());
        Assert.Equal("failed", frames[^1]["status"].GetString());
    }

    private static bool HasError(Frame result) => result.Payload.TryGetProperty("error", out _);

    /// <summary>A call the budget refused: announced, then answered with no result, no time and the reason.</summary>
    private static void AssertNotRun(Frame result, Frame call)
    {
        Assert.Equal("tool-call", call.Type);
        Assert.Equal(call["callId"].GetString(), result["callId"].GetString());
        Assert.Equal(call["name"].GetString(), result["name"].GetString());
        Assert.Equal(JsonValueKind.Null, result["result"].ValueKind);
        Assert.Equal(0, result["elapsedMs"].GetInt64());
        Assert.Equal("The tool was not run: the run reached its tool limit.", result["error"].GetString());
    }

    [Fact]
    public async Task TheOfflineAnalysisFitsTheDefaultBudget()
    {
        await using var app = new StreamingApiApplication();
        var frames = await app.CreateClient().GetFramesAsync("/stream/analysis?prompt=Analyze%20our%202024%20sales");

        Assert.Equal(4, frames.Count(f => f.Type == "tool-call"));
        Assert.Equal("completed", frames[^1]["status"].GetString());
    }
}
