using System.Text.Json.Nodes;
using StreamingApi.Tests.Infrastructure;
using StreamingApi.Tests.Upstreams;

namespace StreamingApi.Tests.Models;

/// <summary>
/// Tool calls keep their identity over many turns whatever Gemini sends: ids are unique within the run, and each
/// functionResponse goes back under its own call's name (and id, where Gemini gave one).
/// </summary>
public sealed class GeminiCallIdentityTests
{
    [Fact]
    public async Task WithoutIdsOrResponseIdsEachResultGoesBackUnderItsOwnCallsNameOverThreeTurns()
    {
        await using var upstream = await LoopbackUpstream.StartAsync((request, http) => Captures.ReplaySseAsync(http, Reply(request, "noids")));
        await using var app = ModelApplications.Gemini(upstream);

        var frames = await app.CreateClient().GetFramesAsync("/stream/analysis?prompt=Analyze%20our%202024%20sales");

        // What our endpoint emitted: four calls with four ids, each result paired with its own call.
        var calls = frames.Where(f => f.Type == "tool-call").ToList();
        Assert.Equal(["fetch_sales_data", "fetch_sales_data", "fetch_customer_data", "calculate_growth"], calls.Select(c => c["name"].GetString()));
        Assert.Equal(4, calls.Select(c => c["callId"].GetString()).Distinct().Count());
        AssertEachResultAnswersItsCall(frames);
        Assert.Equal("completed", frames[^1]["status"].GetString());
        Assert.Contains(frames, f => f.Type == "result");

        // What our client sent: three tool-loop turns and the report, not a model asking again and again.
        Assert.Equal(4, upstream.Requests.Count);
        var second = upstream.Requests[1].Json["contents"]!.AsArray();
        Assert.Equal(["user", "model", "user"], Roles(second));
        Assert.Equal(["analytics_fetch_sales_data", "analytics_fetch_sales_data", "analytics_fetch_customer_data"], Names(second[1]!, "functionCall"));
        Assert.Equal(["analytics_fetch_sales_data", "analytics_fetch_sales_data", "analytics_fetch_customer_data"], Names(second[2]!, "functionResponse"));
        Assert.Equal([10635675m, 9753674m], Parts(second[2]!, "functionResponse").Take(2).Select(r => r["response"]!["total"]!.GetValue<decimal>()));
        Assert.Equal(12480, Parts(second[2]!, "functionResponse")[2]["response"]!["totalCustomers"]!.GetValue<int>());

        var third = upstream.Requests[2].Json["contents"]!.AsArray();
        Assert.Equal(["user", "model", "user", "model", "user"], Roles(third));
        Assert.Equal(["analytics_fetch_sales_data", "analytics_fetch_sales_data", "analytics_fetch_customer_data"], Names(third[2]!, "functionResponse"));
        Assert.Equal(["analytics_calculate_growth"], Names(third[3]!, "functionCall"));
        Assert.Equal(["analytics_calculate_growth"], Names(third[4]!, "functionResponse"));
        Assert.Equal(9.04m, Parts(third[4]!, "functionResponse")[0]["response"]!["percentChange"]!.GetValue<decimal>());
        // Gemini gave no ids, so none goes back; the first call's thought signature does.
        Assert.All(upstream.Requests.Select(r => r.Json["contents"]!.ToJsonString()), json => Assert.DoesNotContain("\"id\"", json));
        Assert.NotNull(third[1]!["parts"]![0]!["thoughtSignature"]);
    }

    [Fact]
    public async Task IdsGeminiReusesAcrossTurnsStayUniqueInTheRunAndGoBackAsGeminiSentThem()
    {
        await using var upstream = await LoopbackUpstream.StartAsync((request, http) => Captures.ReplaySseAsync(http, Reply(request, "reused")));
        await using var app = ModelApplications.Gemini(upstream);

        var frames = await app.CreateClient().GetFramesAsync("/stream/analysis?prompt=Analyze%20our%202024%20sales");

        var ids = frames.Where(f => f.Type == "tool-call").Select(c => c["callId"].GetString()).ToList();
        Assert.Equal(["call-1", "call-2", "call-3"], ids.Take(3)); // Gemini's own, while they are free
        Assert.Equal(4, ids.Distinct().Count()); // the second "call-1" got one of its own
        AssertEachResultAnswersItsCall(frames);
        Assert.Equal("completed", frames[^1]["status"].GetString());

        Assert.Equal(4, upstream.Requests.Count);
        var third = upstream.Requests[2].Json["contents"]!.AsArray();
        Assert.Equal(["call-1", "call-2", "call-3"], Parts(third[1]!, "functionCall").Select(c => c["id"]!.GetValue<string>()));
        Assert.Equal(["call-1", "call-2", "call-3"], Parts(third[2]!, "functionResponse").Select(r => r["id"]!.GetValue<string>()));
        Assert.Equal(["analytics_fetch_sales_data", "analytics_fetch_sales_data", "analytics_fetch_customer_data"], Names(third[2]!, "functionResponse"));
        Assert.Equal("call-1", Parts(third[3]!, "functionCall").Single()["id"]!.GetValue<string>());
        var growth = Parts(third[4]!, "functionResponse").Single();
        Assert.Equal("call-1", growth["id"]!.GetValue<string>());
        Assert.Equal("analytics_calculate_growth", growth["name"]!.GetValue<string>());
    }

    private static void AssertEachResultAnswersItsCall(List<Frame> frames)
    {
        var results = frames.Where(f => f.Type == "tool-result").ToList();
        Assert.Equal(frames.Count(f => f.Type == "tool-call"), results.Count);
        foreach (var call in frames.Where(f => f.Type == "tool-call"))
        {
            var result = Assert.Single(results, r => r["callId"].GetString() == call["callId"].GetString());
            Assert.Equal(call["name"].GetString(), result["name"].GetString());
        }
    }

    private static List<string> Roles(JsonArray contents) => contents.Select(c => c!["role"]!.GetValue<string>()).ToList();

    private static List<JsonNode> Parts(JsonNode content, string kind) =>
        content["parts"]!.AsArray().Select(p => p![kind]).OfType<JsonNode>().ToList();

    private static List<string> Names(JsonNode content, string kind) => Parts(content, kind).Select(p => p["name"]!.GetValue<string>()).ToList();

    /// <summary>The analysis turn by turn: calls, growth, text, then the report asked for as JSON.</summary>
    private static string Reply(UpstreamRequest request, string captures)
    {
        var body = request.Json;
        if (body["generationConfig"]?["responseMimeType"]?.GetValue<string>() == "application/json") return "gemini/analysis-4-report.sse";
        var responses = body["contents"]!.AsArray().SelectMany(c => c!["parts"]!.AsArray()).Count(p => p!["functionResponse"] is not null);
        return responses switch
        {
            0 => $"gemini/{captures}-1-calls.sse",
            3 => $"gemini/{captures}-2-growth.sse",
            _ => "gemini/noids-3-text.sse",
        };
    }
}
