using System.Text.Json;
using System.Text.Json.Nodes;
using StreamingApi.Agents.Output;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Streams;

public sealed class AnalysisStreamTests
{
    [Fact]
    public async Task AnalysisShowsEachToolCallThenItsResultThenAValidatedResult()
    {
        await using var app = new StreamingApiApplication();
        var frames = await app.CreateClient().GetFramesAsync("/stream/analysis?prompt=Analyze%20our%202024%20sales");

        var calls = frames.Where(f => f.Type == "tool-call").ToList();
        var results = frames.Where(f => f.Type == "tool-result").ToList();
        Assert.Equal(["calculate_growth", "fetch_customer_data", "fetch_sales_data", "fetch_sales_data"],
            calls.Select(c => c["name"].GetString()).Order());
        Assert.Equal([2023, 2024], calls.Where(c => c["name"].GetString() == "fetch_sales_data")
            .Select(c => c["arguments"].GetProperty("year").GetInt32()).Order());

        foreach (var call in calls)
        {
            var result = Assert.Single(results, r => r["callId"].GetString() == call["callId"].GetString());
            Assert.True(frames.IndexOf(call) < frames.IndexOf(result));
            Assert.Equal(call["name"].GetString(), result["name"].GetString());
            Assert.Equal(JsonValueKind.Object, result["result"].ValueKind);
        }

        // Growth is computed from the totals the sales tool really returned.
        var totals = results.Where(r => r["name"].GetString() == "fetch_sales_data")
            .ToDictionary(r => r["result"].GetProperty("year").GetInt32(), r => r["result"].GetProperty("total").GetDecimal());
        var growth = calls.Single(c => c["name"].GetString() == "calculate_growth")["arguments"];
        Assert.Equal(totals[2023], growth.GetProperty("previous").GetDecimal());
        Assert.Equal(totals[2024], growth.GetProperty("current").GetDecimal());

        var report = frames.Single(f => f.Type == "result")["output"].Deserialize<AnalysisReport>(JsonSerializerOptions.Web)!;
        Assert.NotEmpty(report.Findings);
        Assert.NotEmpty(report.Recommendations);
        Assert.Equal(["calculate_growth", "fetch_customer_data", "fetch_sales_data"], report.DataSources.Order());
        Assert.Contains(report.Findings, f => f.Contains(totals[2024].ToString("#,0")));

        Assert.Equal(["run"], frames.Take(1).Select(f => f.Type));
        Assert.Equal(["result", "done"], frames.TakeLast(2).Select(f => f.Type));
        Assert.Equal("completed", frames[^1]["status"].GetString());
        Assert.NotEmpty(frames.Text());
    }

    [Fact]
    public async Task ATurnsToolsAreAllAnnouncedThenAnswerTogetherInTheOrderTheyWereAskedFor()
    {
        // The first turn asks for sales of 2024 and 2023, then customers; the customer tool returns at once.
        await using var app = new StreamingApiApplication().With("Tools:SalesDelayMs", "600");
        var frames = await app.CreateClient().GetFramesAsync("/stream/analysis?prompt=Analyze%20our%202024%20sales");

        var turn = frames.SkipWhile(f => f.Type != "tool-call").TakeWhile(f => f.Type is "tool-call" or "tool-result").ToList();
        Assert.Equal(["tool-call", "tool-call", "tool-call", "tool-result", "tool-result", "tool-result"], turn.Shape());
        Assert.Equal(turn[..3].Select(f => f["callId"].GetString()), turn[3..].Select(f => f["callId"].GetString()));
        Assert.Equal(["fetch_sales_data", "fetch_sales_data", "fetch_customer_data"], turn[3..].Select(f => f["name"].GetString()));
        // Each result still carries its own tool's time, not the turn's.
        Assert.InRange(turn[5]["elapsedMs"].GetInt64(), 0, 400);
        Assert.All(turn[3..5], r => Assert.InRange(r["elapsedMs"].GetInt64(), 590, 30_000));
    }

    [Fact]
    public async Task PartialResultsGrowTowardTheFinalResult()
    {
        await using var app = new StreamingApiApplication();
        var frames = await app.CreateClient().GetFramesAsync("/stream/analysis?prompt=Analyze%20our%202024%20sales");

        var partials = frames.Where(f => f.Type == "partial").Select(f => JsonNode.Parse(f["output"].GetRawText())!.AsObject()).ToList();
        var result = JsonNode.Parse(frames.Single(f => f.Type == "result")["output"].GetRawText())!.AsObject();
        Assert.True(partials.Count >= 3, $"expected several partial events, got {partials.Count}");
        Assert.True(frames.FindLastIndex(f => f.Type == "partial") < frames.FindIndex(f => f.Type == "result"));

        for (var i = 1; i < partials.Count; i++)
            Assert.True(Size(partials[i]) > Size(partials[i - 1]), $"partial {i} did not grow");
        Assert.True(JsonNode.DeepEquals(partials[^1], result) || Size(partials[^1]) < Size(result));
        // Every field a partial shows already has its final value (or a prefix of the final list).
        foreach (var partial in partials)
        foreach (var (name, value) in partial)
        {
            if (value is JsonArray items)
                Assert.All(items.Select((item, index) => (item, index)), x => Assert.True(JsonNode.DeepEquals(x.item, result[name]![x.index])));
            else
                Assert.True(JsonNode.DeepEquals(value, result[name]));
        }
    }

    private static int Size(JsonObject node) => node.Sum(p => p.Value is JsonArray a ? 1 + a.Count : 1);
}
