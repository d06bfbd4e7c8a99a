using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using StreamingApi.Agents.Output;
using StreamingApi.Tests.Infrastructure;
using StreamingApi.Tests.Upstreams;

namespace StreamingApi.Tests.Models;

public sealed class GeminiStreamTests
{
    private const string Signature = "CiQB0e2Kb0mJfZ4kN0v1b2ZtZ3N1Z25hdHVyZS1mcm9tLWdlbWluaS0z";

    [Fact]
    public async Task TextStreamsGeminiDeltasWithItsModelAndUsage()
    {
        await using var upstream = await LoopbackUpstream.StartAsync((_, http) => Captures.ReplaySseAsync(http, "gemini/text.sse"));
        await using var app = ModelApplications.Gemini(upstream);

        var frames = await app.CreateClient().GetFramesAsync("/stream/text?prompt=Explain%20SSE");

        Assert.Equal("gemini-2.5-flash", frames[0]["model"].GetString());
        Assert.Equal("# Server-sent events\n\nServer-sent events keep one HTTP response open and send \"events\" down it.\n\n" +
                     "- ids let a client resume\n- 🚀 emoji, \"quotes\" and\r\nCRLF survive", frames.Text());
        var done = frames[^1];
        Assert.Equal("completed", done["status"].GetString());
        Assert.Equal(12, done["usage"].GetProperty("inputTokens").GetInt32());
        Assert.Equal(25 + 24, done["usage"].GetProperty("outputTokens").GetInt32());

        var request = Assert.Single(upstream.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", request.PathAndQuery);
        Assert.Equal(ModelApplications.GeminiKey, request.Headers["x-goog-api-key"]);
        Assert.DoesNotContain(ModelApplications.GeminiKey, request.PathAndQuery + request.Body);
        var body = request.Json;
        Assert.False(string.IsNullOrEmpty(body["systemInstruction"]!["parts"]![0]!["text"]!.GetValue<string>()));
        Assert.Equal("user", body["contents"]![0]!["role"]!.GetValue<string>());
        Assert.Equal("Explain SSE", body["contents"]![0]!["parts"]![0]!["text"]!.GetValue<string>());
        Assert.Null(body["tools"]);
    }

    [Fact]
    public async Task AnalysisRunsGeminisToolCallsEchoesIdsAndSignaturesAndValidatesTheResult()
    {
        await using var upstream = await LoopbackUpstream.StartAsync((request, http) => Captures.ReplaySseAsync(http, AnalysisReply(request)));
        await using var app = ModelApplications.Gemini(upstream);

        var frames = await app.CreateClient().GetFramesAsync("/stream/analysis?prompt=Analyze%20our%202024%20sales");

        // What our endpoint emitted.
        var calls = frames.Where(f => f.Type == "tool-call").ToList();
        Assert.Equal(["fc-sales-2024", "fc-sales-2023", "fc-customers"], calls.Take(3).Select(c => c["callId"].GetString()));
        Assert.Equal(["fetch_sales_data", "fetch_sales_data", "fetch_customer_data", "calculate_growth"], calls.Select(c => c["name"].GetString()));
        Assert.Equal(4, frames.Count(f => f.Type == "tool-result"));
        Assert.All(frames.Where(f => f.Type == "tool-result"), r => Assert.Equal(JsonValueKind.Object, r["result"].ValueKind));
        Assert.Contains("Revenue reached $10,635,675", frames.Text());
        Assert.Contains(frames, f => f.Type == "partial");
        var report = frames.Single(f => f.Type == "result")["output"].Deserialize<AnalysisReport>(JsonSerializerOptions.Web)!;
        Assert.Equal(3, report.Findings.Count);
        Assert.Equal("completed", frames[^1]["status"].GetString());

        // What our client sent.
        Assert.Equal(4, upstream.Requests.Count);
        var first = upstream.Requests[0].Json;
        var declarations = first["tools"]![0]!["functionDeclarations"]!.AsArray();
        Assert.Equal(["analytics_fetch_sales_data", "analytics_fetch_customer_data", "analytics_calculate_growth", "analytics_send_report"],
            declarations.Select(d => d!["name"]!.GetValue<string>()));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"type":"object","properties":{"year":{"type":"integer","description":"The four-digit year, e.g. 2024."}},"required":["year"]}
            """), declarations[0]!["parameters"]));
        Assert.Null(declarations[1]!["parameters"]);
        Assert.Equal("number", declarations[2]!["parameters"]!["properties"]!["previous"]!["type"]!.GetValue<string>());
        Assert.DoesNotContain("$schema", first["tools"]!.ToJsonString());
        Assert.DoesNotContain("additionalProperties", first["tools"]!.ToJsonString());
        Assert.Equal("AUTO", first["toolConfig"]!["functionCallingConfig"]!["mode"]!.GetValue<string>());

        var second = upstream.Requests[1].Json["contents"]!.AsArray();
        Assert.Equal(["user", "model", "user"], second.Select(c => c!["role"]!.GetValue<string>()));
        var modelParts = second[1]!["parts"]!.AsArray();
        Assert.Equal(Signature, modelParts[0]!["thoughtSignature"]!.GetValue<string>());
        Assert.Equal(["fc-sales-2024", "fc-sales-2023", "fc-customers"], modelParts.Select(p => p!["functionCall"]!["id"]!.GetValue<string>()));
        var responses = second[2]!["parts"]!.AsArray().Select(p => p!["functionResponse"]!).ToList();
        Assert.Equal(["fc-sales-2024", "fc-sales-2023", "fc-customers"], responses.Select(r => r["id"]!.GetValue<string>()));
        Assert.Equal(["analytics_fetch_sales_data", "analytics_fetch_sales_data", "analytics_fetch_customer_data"], responses.Select(r => r["name"]!.GetValue<string>()));
        Assert.Equal(10635675, responses[0]["response"]!["total"]!.GetValue<decimal>());

        var third = upstream.Requests[2].Json["contents"]!.AsArray();
        var growthResponse = third[^1]!["parts"]![0]!["functionResponse"]!;
        Assert.Equal("analytics_calculate_growth", growthResponse["name"]!.GetValue<string>());
        Assert.Null(growthResponse["id"]); // Gemini gave no id for that call, so none goes back
        Assert.Equal(9.04m, growthResponse["response"]!["percentChange"]!.GetValue<decimal>());

        var last = upstream.Requests[3].Json;
        Assert.Equal("application/json", last["generationConfig"]!["responseMimeType"]!.GetValue<string>());
        Assert.Equal(["summary", "findings", "recommendations", "dataSources"],
            last["generationConfig"]!["responseSchema"]!["properties"]!.AsObject().Select(p => p.Key));
        Assert.DoesNotContain("$schema", last["generationConfig"]!.ToJsonString());
        Assert.Null(last["tools"]);
    }

    [Fact]
    public async Task FlakyToolFailureAndSuccessOnGemini()
    {
        await using var upstream = await LoopbackUpstream.StartAsync((request, http) => Captures.ReplaySseAsync(http,
            request.Body.Contains("functionResponse") ? "gemini/flaky-2-text.sse" : "gemini/flaky-1-call.sse"));
        await using var app = ModelApplications.Gemini(upstream);
        var client = app.CreateClient();

        var failed = await client.GetFramesAsync("/stream/flaky?prompt=Check%20Europe&fail=true");
        var succeeded = await client.GetFramesAsync("/stream/flaky?prompt=Check%20Europe&fail=false");

        Assert.Equal(["run", "tool-call", "tool-result", "error", "done"], failed.Select(f => f.Type));
        Assert.Equal("tool-failed", failed[3]["type"].GetString());
        Assert.Equal("Europe has stock on hand.", succeeded.Text());
        Assert.Equal("completed", succeeded[^1]["status"].GetString());
    }

    [Fact]
    public async Task AConnectionResetAfterSomeChunksEndsWithAnError()
    {
        await using var upstream = await LoopbackUpstream.StartAsync((_, http) => Captures.ReplaySseAsync(http, "gemini/text.sse", abortAfterEvents: 2));
        await using var app = ModelApplications.Gemini(upstream);

        var frames = await app.CreateClient().GetFramesAsync("/stream/text?prompt=hello");

        Assert.Equal(["run", "text", "text", "error", "done"], frames.Select(f => f.Type));
        Assert.Equal(502, frames[3]["status"].GetInt32());
        Assert.Equal("The connection to Gemini was lost", frames[3]["title"].GetString());
        Assert.Single(upstream.Requests); // bytes had arrived: no retry
    }

    [Fact]
    public async Task AMalformedEventEndsWithAnErrorAfterWhatCameBefore()
    {
        await using var upstream = await LoopbackUpstream.StartAsync((_, http) => Captures.ReplaySseAsync(http, "gemini/malformed.sse"));
        await using var app = ModelApplications.Gemini(upstream);

        var frames = await app.CreateClient().GetFramesAsync("/stream/text?prompt=hello");

        Assert.Equal(["run", "text", "error", "done"], frames.Select(f => f.Type));
        Assert.Equal("Fine so far.", frames.Text());
        Assert.Equal("Gemini sent a malformed event", frames[2]["title"].GetString());
    }

    [Fact]
    public async Task AnUpstreamThatStallsIsCutOffByMaxSeconds()
    {
        var upstreamSawAbort = new TaskCompletionSource();
        await using var upstream = await LoopbackUpstream.StartAsync(async (_, http) =>
        {
            http.Response.ContentType = "text/event-stream";
            await http.Response.WriteAsync(Captures.Read("gemini/text.sse").Split("\r\n\r\n")[0] + "\r\n\r\n");
            await http.Response.Body.FlushAsync();
            try
            {
                await Task.Delay(Timeout.Infinite, http.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                upstreamSawAbort.TrySetResult();
            }
        });
        await using var app = ModelApplications.Gemini(upstream);

        var frames = await app.CreateClient().GetFramesAsync("/stream/text?prompt=hello&maxSeconds=1");

        Assert.Equal(["run", "text", "done"], frames.Select(f => f.Type));
        Assert.Equal("time-limit", frames[^1]["reason"].GetString());
        await upstreamSawAbort.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await app.WaitForNoActiveRunsAsync();
    }

    [Fact]
    public async Task MaxTokensCompletesWithThatReasonAndSafetyIsAnError()
    {
        await using var upstream = await LoopbackUpstream.StartAsync((request, http) =>
            Captures.ReplaySseAsync(http, request.Body.Contains("safety") ? "gemini/safety.sse" : "gemini/max-tokens.sse"));
        await using var app = ModelApplications.Gemini(upstream);
        var client = app.CreateClient();

        var truncated = await client.GetFramesAsync("/stream/text?prompt=long");
        var blocked = await client.GetFramesAsync("/stream/text?prompt=safety");

        Assert.Equal("This answer was cut off at the limit", truncated.Text());
        Assert.Equal("completed", truncated[^1]["status"].GetString());
        Assert.Equal("max-tokens", truncated[^1]["reason"].GetString());
        Assert.Equal(["run", "text", "error", "done"], blocked.Select(f => f.Type));
        Assert.Contains("SAFETY", blocked[2]["detail"].GetString());
    }

    [Fact]
    public async Task TheTextOfAChunkThatStopsForAnotherReasonArrivesBeforeTheError()
    {
        await using var upstream = await LoopbackUpstream.StartAsync(async (_, http) =>
        {
            http.Response.ContentType = "text/event-stream";
            await http.Response.WriteAsync(
                "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"I can start\"}], \"role\": \"model\"}, \"index\": 0}]}\r\n\r\n" +
                "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \", and then\"}], \"role\": \"model\"}, \"index\": 0, " +
                "\"finishReason\": \"RECITATION\"}]}\r\n\r\n");
        });
        await using var app = ModelApplications.Gemini(upstream);

        var frames = await app.CreateClient().GetFramesAsync("/stream/text?prompt=recite");

        Assert.Equal(["run", "text", "text", "error", "done"], frames.Select(f => f.Type));
        Assert.Equal("I can start, and then", frames.Text());
        Assert.Contains("RECITATION", frames[3]["detail"].GetString());
    }

    internal static string AnalysisReply(UpstreamRequest request)
    {
        var body = request.Json;
        if (body["generationConfig"]?["responseMimeType"]?.GetValue<string>() == "application/json") return "gemini/analysis-4-report.sse";
        var responses = body["contents"]!.AsArray().SelectMany(c => c!["parts"]!.AsArray()).Count(p => p!["functionResponse"] is not null);
        return responses switch
        {
            0 => "gemini/analysis-1-calls.sse",
            3 => "gemini/analysis-2-growth.sse",
            _ => "gemini/analysis-3-text.sse",
        };
    }
}
