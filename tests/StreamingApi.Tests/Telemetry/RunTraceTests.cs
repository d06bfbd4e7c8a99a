using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Telemetry;

/// <summary>
/// The spans of a run, after the GenAI conventions: <c>invoke_agent</c> for the run, in the trace of the request that
/// started it, with the model calls (<c>chat</c>) and tool calls (<c>execute_tool</c>) below it.
/// </summary>
[Collection(ProcessTracesCollection.Name)]
public sealed class RunTraceTests
{
    private const string Analysis = "/stream/analysis?prompt=Analyze%20our%202024%20sales";

    /// <summary>Tags whose values are users' text or the tools' data: only with Telemetry:RecordContent.</summary>
    private static readonly string[] ContentTags =
        ["gen_ai.input.messages", "gen_ai.output.messages", "gen_ai.system_instructions", "gen_ai.tool.call.arguments", "gen_ai.tool.call.result"];

    [Fact]
    public async Task ARunIsOneTraceFromTheRequestWithItsModelCallsAndToolCallsBelowTheRunsSpan()
    {
        var spans = new SpanCapture();
        await using var app = new StreamingApiApplication().WithSpans(spans);
        var client = app.CreateSocketClient();
        var caller = ActivityTraceId.CreateRandom();
        var callerSpan = ActivitySpanId.CreateRandom();

        var request = new HttpRequestMessage(HttpMethod.Get, Analysis);
        request.Headers.Add("traceparent", $"00-{caller}-{callerSpan}-01");
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var frames = new List<Frame>();
        await foreach (var frame in response.ReadFramesAsync()) frames.Add(frame);
        var runId = frames[0].RunId;
        var run = await spans.RunEndedAsync(runId);

        // The run continues the caller's trace, below the request's server span, though it runs in the background.
        Assert.Equal(caller, run.TraceId);
        Assert.Equal(caller.ToHexString(), frames[0]["traceId"].GetString());
        var server = await spans.WaitForAsync(() => spans.Trace(caller).FirstOrDefault(s => s.Kind == ActivityKind.Server), "the request's span has ended");
        Assert.Equal(callerSpan, server.ParentSpanId);
        Assert.Equal(server.SpanId, run.ParentSpanId);
        Assert.Equal("invoke_agent analyst", run.DisplayName);
        Assert.Equal("invoke_agent", run.GetTagItem("gen_ai.operation.name"));
        Assert.Equal("analyst", run.GetTagItem("gen_ai.agent.name"));
        Assert.Equal("analysis", run.GetTagItem("streamingapi.endpoint"));
        Assert.Equal("completed", run.GetTagItem("streamingapi.run.status"));
        Assert.Equal(ActivityStatusCode.Unset, run.Status);

        var below = spans.Trace(caller).Where(s => s.ParentSpanId == run.SpanId).ToList();
        var chats = below.Where(s => s.DisplayName == "chat offline-writer-1").ToList();
        Assert.Equal(4, chats.Count); // three turns with the tools, and the structured result
        Assert.All(chats, chat =>
        {
            Assert.Equal("chat", chat.GetTagItem("gen_ai.operation.name"));
            Assert.Equal("offline-writer-1", chat.GetTagItem("gen_ai.request.model"));
            Assert.True(chat.GetTagItem("gen_ai.usage.input_tokens") is int and > 0);
            Assert.True(chat.GetTagItem("gen_ai.usage.output_tokens") is int and > 0);
            Assert.NotNull(chat.GetTagItem("gen_ai.response.finish_reasons"));
        });
        Assert.Contains(chats, chat => chat.GetTagItem("gen_ai.usage.reasoning.output_tokens") is int and > 0);
        var tools = below.Where(s => s.DisplayName.StartsWith("execute_tool ", StringComparison.Ordinal)).ToList();
        var calls = frames.Where(f => f.Type == "tool-call").ToList();
        Assert.Equal(calls.Count, tools.Count);
        Assert.Equal(calls.Select(c => c["callId"].GetString()).Order(), tools.Select(t => (string)t.GetTagItem("gen_ai.tool.call.id")!).Order());
        Assert.All(tools, tool =>
        {
            Assert.Equal("execute_tool", tool.GetTagItem("gen_ai.operation.name"));
            Assert.Equal($"execute_tool {tool.GetTagItem("gen_ai.tool.name")}", tool.DisplayName);
            Assert.Equal(ActivityStatusCode.Unset, tool.Status);
        });
        // A tool runs after the model call that asked for it ended.
        var firstTool = tools.MinBy(t => t.StartTimeUtc)!;
        Assert.True(chats.MinBy(c => c.StartTimeUtc)!.StartTimeUtc + chats.MinBy(c => c.StartTimeUtc)!.Duration <= firstTool.StartTimeUtc);

        // No prompt, answer or tool data by default.
        Assert.All(spans.Trace(caller), span => Assert.DoesNotContain(span.TagObjects, tag => ContentTags.Contains(tag.Key)));
        Assert.DoesNotContain(spans.Trace(caller), span => span.TagObjects.Any(t => t.Value is string text && text.Contains("2024 sales", StringComparison.Ordinal)));

        // The record keeps the run's span as a traceparent; the run's log lines carry its trace and span ids.
        Assert.Equal(run.Id, (await client.GetRunAsync(runId)).GetProperty("traceParent").GetString());
        var ended = await app.Logs.WaitForAsync(e => LogCapture.IsRunEnded(e) && LogCapture.Scalar(e, "RunId") == runId);
        Assert.Equal((caller, run.SpanId), (ended.TraceId, ended.SpanId));
    }

    [Fact]
    public async Task PromptsAnswersAndToolDataAreRecordedOnlyWithRecordContent()
    {
        var spans = new SpanCapture();
        await using var app = new StreamingApiApplication().With("Telemetry:RecordContent", "true").WithSpans(spans);
        var frames = await app.CreateSocketClient().GetFramesAsync(Analysis);
        var run = await spans.RunEndedAsync(frames[0].RunId);

        var trace = spans.Trace(run.TraceId);
        var chat = trace.First(s => s.DisplayName.StartsWith("chat ", StringComparison.Ordinal));
        Assert.Contains("Analyze our 2024 sales", (string)chat.GetTagItem("gen_ai.input.messages")!);
        Assert.NotNull(chat.GetTagItem("gen_ai.output.messages"));
        var tool = trace.First(s => (string?)s.GetTagItem("gen_ai.tool.name") == "analytics_fetch_sales_data");
        Assert.Contains("year", tool.GetTagItem("gen_ai.tool.call.arguments")?.ToString());
        Assert.NotNull(tool.GetTagItem("gen_ai.tool.call.result"));
    }

    [Fact]
    public async Task AFailingToolMakesItsSpanAndTheRunsSpanErrors()
    {
        var spans = new SpanCapture();
        await using var app = new StreamingApiApplication().WithSpans(spans);
        var frames = await app.CreateSocketClient().GetFramesAsync("/stream/flaky?prompt=Check%20stock%20in%20Europe&fail=true");
        Assert.Equal("failed", frames[^1]["status"].GetString());
        var run = await spans.RunEndedAsync(frames[0].RunId);

        Assert.Equal(ActivityStatusCode.Error, run.Status);
        Assert.Equal("tool-failed", run.StatusDescription);
        Assert.Equal("tool-failed", run.GetTagItem("error.type"));
        Assert.Equal(("failed", "tool-failed"), (run.GetTagItem("streamingapi.run.status"), run.GetTagItem("streamingapi.run.reason")));
        Assert.Contains(run.Events, e => e.Name == "exception");
        var tool = spans.Trace(run.TraceId).Single(s => s.DisplayName == "execute_tool inventory_check_inventory");
        Assert.Equal(run.SpanId, tool.ParentSpanId);
        Assert.Equal(ActivityStatusCode.Error, tool.Status);
        Assert.NotNull(tool.GetTagItem("error.type"));
        // The tool's own message (its service's 503) stays in the server log, and out of the trace. (Its words, not the
        // number: a run id, sixteen random hex digits, may hold "503".)
        Assert.DoesNotContain(spans.Trace(run.TraceId), span => span.TagObjects.Any(t => t.Value is string text && text.Contains("Service Unavailable", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task ACancelledRunEndsItsSpanCancelledNotFailedAndTheRunningToolSaysItWasCancelled()
    {
        var spans = new SpanCapture();
        await using var app = new StreamingApiApplication().With("Tools:SalesDelayMs", "60000").WithSpans(spans);
        var client = app.CreateSocketClient();
        using var started = await client.PostAsJsonAsync("/runs", new { agent = "analyst", prompt = "Analyze our 2024 sales" });
        var runId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("runId").GetString()!;
        await Eventually.TrueAsync(async () => (await client.GetRunAsync(runId)).GetProperty("output").GetProperty("toolCalls").GetArrayLength() > 0,
            "a tool is running");

        using var cancelled = await client.PostAsync($"/runs/{runId}/cancel", null);
        Assert.Equal(HttpStatusCode.Accepted, cancelled.StatusCode);
        var run = await spans.RunEndedAsync(runId);

        Assert.Equal(("cancelled", "stopped"), (run.GetTagItem("streamingapi.run.status"), run.GetTagItem("streamingapi.run.reason")));
        Assert.Equal(ActivityStatusCode.Unset, run.Status);
        var tool = await spans.WaitForAsync(() => spans.Trace(run.TraceId).FirstOrDefault(s => s.DisplayName == "execute_tool analytics_fetch_sales_data"),
            "the cancelled tool's span has ended");
        Assert.Equal(true, tool.GetTagItem("streamingapi.tool.cancelled"));
    }

    [Fact]
    public async Task AReaderResumingARunGetsItsOwnSpanLinkedToTheRunsTrace()
    {
        var spans = new SpanCapture();
        await using var app = new StreamingApiApplication().With("OfflineModel:TokensPerSecond", "300").With("Runs:DetachGraceSeconds", "30").WithSpans(spans);
        var client = app.CreateSocketClient();
        var first = await client.ReadThenDropAsync(Analysis, 5);
        var rest = await client.ResumeFramesAsync(Analysis, first[^1].Id!);
        Assert.Equal("done", rest[^1].Type);
        var run = await spans.RunEndedAsync(first[0].RunId);

        var resume = await spans.WaitForAsync(() => spans.All.FirstOrDefault(s => s.DisplayName == "resume_run"), "the resume span has ended");
        Assert.NotEqual(run.TraceId, resume.TraceId); // the reconnect's own request
        var link = Assert.Single(resume.Links);
        Assert.Equal((run.TraceId, run.SpanId), (link.Context.TraceId, link.Context.SpanId));
        Assert.Equal(first[0].RunId, resume.GetTagItem("streamingapi.run.id"));
        Assert.Equal(5L, resume.GetTagItem("streamingapi.run.after"));
    }

    [Fact]
    public async Task ARunSampledOutHasNoSpansNoTraceIdButItsModelCallsAreStillMeasured()
    {
        var spans = new SpanCapture();
        await using var app = new StreamingApiApplication().With("OTEL_TRACES_SAMPLER", "always_off").WithSpans(spans);
        var client = app.CreateSocketClient();
        var frames = await client.GetFramesAsync(Analysis);
        await app.WaitForNoActiveRunsAsync();

        Assert.False(frames[0].Payload.TryGetProperty("traceId", out _));
        Assert.Empty(spans.All);
        Assert.Contains("gen_ai_client_token_usage", await client.GetStringAsync("/metrics")); // exact counts: ModelCallMetricsTests
    }

    [Fact]
    public async Task WithoutATracerProviderNoSpanIsMadeAndTheRunHasNoTraceId()
    {
        await using var app = new StreamingApiApplication();
        var client = app.CreateSocketClient();
        var frames = await client.GetFramesAsync("/stream/text?prompt=Explain%20server-sent%20events");

        Assert.False(frames[0].Payload.TryGetProperty("traceId", out _));
        Assert.False((await client.GetRunAsync(frames[0].RunId)).TryGetProperty("traceParent", out _));
    }

    [Fact]
    public async Task ARunThatWaitedForApprovalGoesOnInTheSameTraceLinkedToTheDecision()
    {
        var spans = new SpanCapture();
        await using var app = Approvals.ApprovalTests.App().WithSpans(spans);
        var client = app.CreateSocketClient();
        var runId = await Approvals.ApprovalTests.StartAsync(client);
        using var response = await client.OpenAsync($"/runs/{runId}/events");
        await using var frames = response.ReadFramesAsync().GetAsyncEnumerator();
        var asked = (await Approvals.ApprovalTests.ReadUntilAsync(frames, "approval-request"))[^1];

        // Waiting, the run's first span has ended as waiting: a span open for as long as a person takes would never be sent.
        var first = await spans.RunEndedAsync(runId);
        Assert.Equal("waiting", first.GetTagItem("streamingapi.run.status"));

        using (var decided = await Approvals.ApprovalTests.DecideAsync(client, runId, asked["approvalId"].GetString()!, approved: true))
            Assert.Equal(HttpStatusCode.OK, decided.StatusCode);
        await Approvals.ApprovalTests.ReadToEndAsync(frames);

        var resumed = await spans.WaitForAsync(() => spans.All.FirstOrDefault(s => s != first && (s.GetTagItem("streamingapi.run.id") as string) == runId
            && s.OperationName.StartsWith("invoke_agent ", StringComparison.Ordinal)), "the resumed run's span has ended");
        Assert.Equal((first.TraceId, first.SpanId), (resumed.TraceId, resumed.ParentSpanId));
        Assert.Equal(true, resumed.GetTagItem("streamingapi.run.resumed"));
        Assert.Equal("completed", resumed.GetTagItem("streamingapi.run.status"));
        var decision = await spans.WaitForAsync(() => spans.All.FirstOrDefault(s => s.Kind == ActivityKind.Server
            && s.DisplayName.Contains("approvals", StringComparison.Ordinal)), "the decision's request span has ended");
        Assert.Contains(resumed.Links, link => link.Context.SpanId == decision.SpanId);
        Assert.Contains(spans.Trace(first.TraceId), s => s.ParentSpanId == resumed.SpanId && s.DisplayName.EndsWith("send_report", StringComparison.Ordinal));
    }
}
