using System.Diagnostics;
using System.Globalization;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Streams;

/// <summary>The offline model thinks before it calls tools and before it answers, so reasoning is visible with no key.</summary>
public sealed class ReasoningStreamTests
{
    [Fact]
    public async Task TheOfflineModelThinksBeforeEachStepAboutTheStepItTakes()
    {
        await using var app = new StreamingApiApplication();
        var frames = await app.CreateClient().GetFramesAsync("/stream/analysis?prompt=Analyze%20our%202024%20sales");

        // One run of reasoning before each model turn: the first calls, the growth call, the answer, the JSON result.
        var thoughts = Runs(frames);
        Assert.Equal(4, thoughts.Count);
        Assert.Equal(["tool-call", "tool-call", "text", "partial"], thoughts.Select(t => frames[t.End].Type));
        Assert.Equal("run", frames[thoughts[0].Start - 1].Type);

        // Each says what the step it precedes does, with the arguments the calls then carry.
        var calls = frames.Where(f => f.Type == "tool-call").ToList();
        Assert.Contains("fetch_sales_data for 2024, fetch_sales_data for 2023 and fetch_customer_data", thoughts[0].Text);
        var growth = calls.Single(c => c["name"].GetString() == "calculate_growth")["arguments"];
        Assert.Contains($"calculate_growth from {Number(growth, "previous")} to {Number(growth, "current")}", thoughts[1].Text);
        Assert.Contains("I have 3 tool results so far.", thoughts[1].Text);
        Assert.Contains("I have 4 tool results so far.", thoughts[2].Text);

        // Thinking never leaks into the answer, and its tokens are reported apart.
        Assert.All(thoughts, t => Assert.DoesNotContain(t.Text.Trim(), frames.Text()));
        Assert.Equal(frames.Count(f => f.Type == "reasoning"), frames[^1]["usage"].GetProperty("reasoningTokens").GetInt64());
        Assert.Equal(frames.Count(f => f.Type == "text"), frames[^1]["chunks"].GetInt32());
        Assert.Equal("completed", frames[^1]["status"].GetString());
    }

    [Fact]
    public async Task TheSamePromptGivesTheSameReasoning()
    {
        await using var app = new StreamingApiApplication();
        var client = app.CreateClient();

        var first = await client.GetFramesAsync("/stream/flaky?prompt=Check%20stock%20in%20Asia%20Pacific&fail=false");
        var second = await client.GetFramesAsync("/stream/flaky?prompt=Check%20stock%20in%20Asia%20Pacific&fail=false");

        Assert.Equal(first.Where(f => f.Type == "reasoning").Select(f => f.Data), second.Where(f => f.Type == "reasoning").Select(f => f.Data));
        Assert.Contains("check_inventory for Asia Pacific", first.Reasoning());
    }

    [Fact]
    public async Task ReasoningIsPacedLikeTheText()
    {
        const int tokensPerSecond = 50;
        await using var app = new StreamingApiApplication()
            .With("OfflineModel:TokensPerSecond", tokensPerSecond.ToString(CultureInfo.InvariantCulture))
            .With("OfflineModel:FirstTokenDelayMs", "0")
            .With("OfflineModel:FixedDeltaCount", "3"); // a short answer: the thinking before it is what is timed
        var client = app.CreateClient();

        var started = Stopwatch.StartNew();
        using var response = await client.OpenAsync("/stream/text?prompt=Explain%20queues");
        var reasoning = 0;
        TimeSpan? firstText = null;
        await foreach (var frame in response.ReadFramesAsync())
        {
            if (frame.Type == "reasoning") reasoning++;
            if (frame.Type == "text") firstText ??= started.Elapsed;
        }

        // Token n of the model's output is due n / 50 s after it started: the answer waits for the thoughts.
        Assert.True(reasoning >= 10, $"expected some reasoning, got {reasoning} deltas");
        Assert.True(firstText >= TimeSpan.FromSeconds((double)reasoning / tokensPerSecond),
            $"the first text came after {firstText?.TotalMilliseconds:0} ms, before {reasoning} reasoning tokens at {tokensPerSecond}/s");
    }

    [Fact]
    public async Task ReasoningCanBeTurnedOff()
    {
        await using var app = new StreamingApiApplication().With("OfflineModel:Reasoning", "false");
        var frames = await app.CreateClient().GetFramesAsync("/stream/analysis?prompt=Analyze%20our%202024%20sales");

        Assert.DoesNotContain(frames, f => f.Type == "reasoning");
        Assert.False(frames[^1]["usage"].TryGetProperty("reasoningTokens", out _));
        Assert.Equal("completed", frames[^1]["status"].GetString());
    }

    /// <summary>Each unbroken run of reasoning frames: where it starts, the frame after it, and its text.</summary>
    private static List<(int Start, int End, string Text)> Runs(List<Frame> frames)
    {
        var runs = new List<(int, int, string)>();
        for (var i = 0; i < frames.Count; i++)
        {
            if (frames[i].Type != "reasoning") continue;
            var start = i;
            while (frames[i].Type == "reasoning") i++;
            runs.Add((start, i, frames[start..i].Reasoning()));
        }
        return runs;
    }

    private static string Number(System.Text.Json.JsonElement arguments, string name) =>
        arguments.GetProperty(name).GetDecimal().ToString(CultureInfo.InvariantCulture);
}
