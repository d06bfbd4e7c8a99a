using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using StreamingApi.Agents.Output;
using StreamingApi.Models;
using StreamingApi.Tests.Infrastructure;
using StreamingApi.Tests.Upstreams;

namespace StreamingApi.Tests.Models;

public sealed class OpenAIStreamTests
{
    [Fact]
    public async Task TextStreamsChatCompletionChunksWithUsage()
    {
        await using var upstream = await LoopbackUpstream.StartAsync((_, http) => Captures.ReplaySseAsync(http, "openai/text.sse"));
        await using var app = ModelApplications.OpenAI(upstream);

        var frames = await app.CreateClient().GetFramesAsync("/stream/text?prompt=Explain%20SSE");

        Assert.Equal("gpt-4o-mini", frames[0]["model"].GetString());
        Assert.Equal("# Server-sent events\n\nThey keep one response open; \"quotes\" and 🚀 survive.", frames.Text());
        Assert.Equal(14, frames[^1]["usage"].GetProperty("inputTokens").GetInt32());
        Assert.Equal("completed", frames[^1]["status"].GetString());

        var request = Assert.Single(upstream.Requests);
        Assert.Equal("/v1/chat/completions", request.PathAndQuery);
        Assert.Equal($"Bearer {ModelApplications.OpenAIKey}", request.Headers["authorization"]);
        Assert.DoesNotContain(ModelApplications.OpenAIKey, request.Body);
        var body = request.Json;
        Assert.True(body["stream"]!.GetValue<bool>());
        Assert.Equal("gpt-4o-mini", body["model"]!.GetValue<string>());
        Assert.Equal(["system", "user"], body["messages"]!.AsArray().Select(m => m!["role"]!.GetValue<string>()));
    }

    [Fact]
    public async Task AnalysisAssemblesToolCallsSplitAcrossChunksAndSendsResultsBackByCallId()
    {
        await using var upstream = await LoopbackUpstream.StartAsync((request, http) => Captures.ReplaySseAsync(http, AnalysisReply(request)));
        await using var app = ModelApplications.OpenAI(upstream);

        var frames = await app.CreateClient().GetFramesAsync("/stream/analysis?prompt=Analyze%20our%202024%20sales");

        var calls = frames.Where(f => f.Type == "tool-call").ToList();
        Assert.Equal(["call_sales24", "call_sales23", "call_customers", "call_growth"], calls.Select(c => c["callId"].GetString()));
        Assert.Equal([2024, 2023], calls.Take(2).Select(c => c["arguments"].GetProperty("year").GetInt32()));
        Assert.Equal(4, frames.Count(f => f.Type == "tool-result"));
        var report = frames.Single(f => f.Type == "result")["output"].Deserialize<AnalysisReport>(JsonSerializerOptions.Web)!;
        Assert.Equal(2, report.Findings.Count);
        Assert.Equal("completed", frames[^1]["status"].GetString());

        Assert.Equal(4, upstream.Requests.Count);
        var tools = upstream.Requests[0].Json["tools"]!.AsArray();
        Assert.Equal(["analytics_fetch_sales_data", "analytics_fetch_customer_data", "analytics_calculate_growth", "analytics_send_report"],
            tools.Select(t => t!["function"]!["name"]!.GetValue<string>()));
        Assert.Equal("integer", tools[0]!["function"]!["parameters"]!["properties"]!["year"]!["type"]!.GetValue<string>());
        Assert.Equal(["year"], tools[0]!["function"]!["parameters"]!["required"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.False(tools[0]!["function"]!["parameters"]!["additionalProperties"]!.GetValue<bool>());

        var messages = upstream.Requests[1].Json["messages"]!.AsArray();
        var assistant = messages.Single(m => m!["role"]!.GetValue<string>() == "assistant")!;
        Assert.Equal(["call_sales24", "call_sales23", "call_customers"], assistant["tool_calls"]!.AsArray().Select(c => c!["id"]!.GetValue<string>()));
        var toolMessages = messages.Where(m => m!["role"]!.GetValue<string>() == "tool").ToList();
        Assert.Equal(["call_sales24", "call_sales23", "call_customers"], toolMessages.Select(m => m!["tool_call_id"]!.GetValue<string>()));
        Assert.Contains("10635675", toolMessages[0]!["content"]!.ToJsonString());

        var last = upstream.Requests[3].Json;
        Assert.Equal("json_schema", last["response_format"]!["type"]!.GetValue<string>());
        Assert.Null(last["tools"]);
    }

    [Fact]
    public async Task ARefusedKeyIsA401WithTheServersWordsButNeverTheKey()
    {
        await using var upstream = await LoopbackUpstream.StartAsync((_, http) => Captures.ReplayJsonAsync(http, 401, "openai/error-401.json"));
        await using var app = ModelApplications.OpenAI(upstream);

        var frames = await app.CreateClient().GetFramesAsync("/stream/text?prompt=hello");

        Assert.Equal(["run", "error", "done"], frames.Select(f => f.Type));
        var error = frames[1];
        Assert.Equal(401, error["status"].GetInt32());
        Assert.Equal("The model server refused the API key", error["title"].GetString());
        Assert.Equal(ModelErrors.Title("The model server", 401), error["title"].GetString());
        Assert.StartsWith("The model server answered 401 invalid_api_key: Incorrect API key provided: ***", error["detail"].GetString());
        Assert.DoesNotContain(ModelApplications.OpenAIKey, error.Data);
        Assert.DoesNotContain("sk-", error.Data);
        Assert.Single(upstream.Requests);
    }

    [Fact]
    public async Task FlakyToolFailureOnOpenAI()
    {
        await using var upstream = await LoopbackUpstream.StartAsync((_, http) => Captures.ReplaySseAsync(http, "openai/flaky-1-call.sse"));
        await using var app = ModelApplications.OpenAI(upstream);

        var frames = await app.CreateClient().GetFramesAsync("/stream/flaky?prompt=Check%20Europe&fail=true");

        Assert.Equal(["run", "tool-call", "tool-result", "error", "done"], frames.Select(f => f.Type));
        Assert.Equal("call_inv", frames[1]["callId"].GetString());
    }

    [Fact]
    public async Task ACallToAToolTheAgentDoesNotHaveIsAnsweredAsNotRunAndTheModelGoesOn()
    {
        await using var upstream = await LoopbackUpstream.StartAsync(async (request, http) =>
        {
            if (request.Json["messages"]!.AsArray().Any(m => m!["role"]!.GetValue<string>() == "tool"))
            {
                await Captures.ReplaySseAsync(http, "openai/text.sse");
                return;
            }
            http.Response.ContentType = "text/event-stream";
            await http.Response.WriteAsync(Captures.Read("openai/flaky-1-call.sse").Replace("inventory_check_inventory", "inventory_check_weather"));
        });
        await using var app = ModelApplications.OpenAI(upstream);

        var frames = await app.CreateClient().GetFramesAsync("/stream/flaky?prompt=Check%20Europe&fail=false");

        Assert.Equal(["run", "tool-call", "tool-result", "text"], frames.Shape().Take(4));
        Assert.Equal("inventory_check_weather", frames[1]["name"].GetString());
        var result = frames[2];
        Assert.Equal("call_inv", result["callId"].GetString());
        Assert.Equal("inventory_check_weather", result["name"].GetString());
        Assert.Equal(JsonValueKind.Null, result["result"].ValueKind);
        Assert.Equal(0, result["elapsedMs"].GetInt64());
        Assert.Equal("The tool was not run: the agent has no tool of that name.", result["error"].GetString());
        Assert.Equal("completed", frames[^1]["status"].GetString());
        Assert.Equal(2, upstream.Requests.Count);
    }

    internal static string AnalysisReply(UpstreamRequest request)
    {
        var body = request.Json;
        if (body["response_format"] is not null) return "openai/analysis-4-report.sse";
        var toolResults = body["messages"]!.AsArray().Count(m => m!["role"]!.GetValue<string>() == "tool");
        return toolResults switch
        {
            0 => "openai/analysis-1-calls.sse",
            3 => "openai/analysis-2-growth.sse",
            _ => "openai/analysis-3-text.sse",
        };
    }
}
