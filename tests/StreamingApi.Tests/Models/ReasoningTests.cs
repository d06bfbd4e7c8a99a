using StreamingApi.Tests.Infrastructure;
using StreamingApi.Tests.Upstreams;

namespace StreamingApi.Tests.Models;

/// <summary>Real models' thinking streams as its own event type, reasoning, never mixed into the answer's text.</summary>
public sealed class ReasoningTests
{
    [Fact]
    public async Task GeminiThoughtSummariesAreReasoningAndSignedThoughtsGoBackToGemini()
    {
        await using var upstream = await LoopbackUpstream.StartAsync((request, http) => Captures.ReplaySseAsync(http,
            request.Body.Contains("functionResponse") ? "gemini/thoughts-2-text.sse" : "gemini/thoughts-1-call.sse"));
        await using var app = ModelApplications.Gemini(upstream);

        var frames = await app.CreateClient().GetFramesAsync("/stream/flaky?prompt=Check%20stock%20in%20Europe&fail=false");

        Assert.Equal(["run", "reasoning", "tool-call", "tool-result", "reasoning", "text", "text", "done"], frames.Shape());
        Assert.Equal("**Checking stock**\n\nThe user wants the stock in Europe. check_inventory answers that, with the region Europe." +
                     "**Answering**\n\nThe tool returned the stock; I will state it plainly.", frames.Reasoning());
        Assert.Equal("Europe has stock on hand. The next delivery is due within two weeks.", frames.Text());
        var usage = frames[^1]["usage"];
        Assert.Equal(64 + 40, usage.GetProperty("reasoningTokens").GetInt64());
        Assert.Equal(12 + 64 + 14 + 40, usage.GetProperty("outputTokens").GetInt64());
        Assert.Equal(frames.Text().Length, frames[^1]["chars"].GetInt64()); // chunks and chars count the answer only

        // Thought summaries were asked for.
        Assert.True(upstream.Requests[0].Json["generationConfig"]!["thinkingConfig"]!["includeThoughts"]!.GetValue<bool>());
        // The model's turn goes back with its signed thought (the pieces before the signature with it) and the
        // function call with its own signature.
        var modelTurn = upstream.Requests[1].Json["contents"]!.AsArray().Single(c => c!["role"]!.GetValue<string>() == "model")!["parts"]!.AsArray();
        Assert.Equal(2, modelTurn.Count);
        Assert.True(modelTurn[0]!["thought"]!.GetValue<bool>());
        Assert.Equal("c2lnLXRob3VnaHQ=", modelTurn[0]!["thoughtSignature"]!.GetValue<string>());
        Assert.Equal("**Checking stock**\n\nThe user wants the stock in Europe. check_inventory answers that, with the region Europe.",
            modelTurn[0]!["text"]!.GetValue<string>());
        Assert.Equal("inventory_check_inventory", modelTurn[1]!["functionCall"]!["name"]!.GetValue<string>());
        Assert.Equal("fc-think", modelTurn[1]!["functionCall"]!["id"]!.GetValue<string>());
        Assert.Equal("c2lnLWNhbGw=", modelTurn[1]!["thoughtSignature"]!.GetValue<string>());
    }

    [Fact]
    public async Task GeminiIncludeThoughtsCanBeTurnedOff()
    {
        await using var upstream = await LoopbackUpstream.StartAsync((_, http) => Captures.ReplaySseAsync(http, "gemini/text.sse"));
        await using var app = ModelApplications.Gemini(upstream).With("Gemini:IncludeThoughts", "false");

        var frames = await app.CreateClient().GetFramesAsync("/stream/text?prompt=Explain%20SSE");

        Assert.Equal("completed", frames[^1]["status"].GetString());
        Assert.Null(Assert.Single(upstream.Requests).Json["generationConfig"]?["thinkingConfig"]);
    }

    [Theory]
    [InlineData("openai/reasoning-content.sse")] // delta.reasoning_content: DeepSeek, vLLM, llama.cpp's server
    [InlineData("openai/reasoning.sse")] // delta.reasoning
    public async Task OpenAICompatibleReasoningDeltasAreReasoning(string capture)
    {
        await using var upstream = await LoopbackUpstream.StartAsync((_, http) => Captures.ReplaySseAsync(http, capture));
        await using var app = ModelApplications.OpenAI(upstream);

        var frames = await app.CreateClient().GetFramesAsync("/stream/text?prompt=Explain%20SSE");

        Assert.Equal(["run", "reasoning", "text", "text", "done"], frames.Shape());
        // Once, though one chunk of the first capture carries the same thought under both names.
        Assert.Equal("The user asks about SSE. One short paragraph will do.", frames.Reasoning());
        Assert.Equal("SSE keeps one response open and sends events down it.", frames.Text());
        Assert.Equal(11, frames[^1]["usage"].GetProperty("reasoningTokens").GetInt64());
        Assert.Equal(19, frames[^1]["usage"].GetProperty("outputTokens").GetInt64());
    }

    [Fact]
    public async Task UsageLeavesReasoningTokensOutWhereTheProviderReportsNone()
    {
        await using var upstream = await LoopbackUpstream.StartAsync((_, http) => Captures.ReplaySseAsync(http, "openai/text.sse"));
        await using var app = ModelApplications.OpenAI(upstream);

        var frames = await app.CreateClient().GetFramesAsync("/stream/text?prompt=Explain%20SSE");

        Assert.DoesNotContain(frames, f => f.Type == "reasoning");
        Assert.Equal(14, frames[^1]["usage"].GetProperty("inputTokens").GetInt32());
        Assert.False(frames[^1]["usage"].TryGetProperty("reasoningTokens", out _));
    }
}
