using StreamingApi.Models;
using StreamingApi.Tests.Infrastructure;
using StreamingApi.Tests.Upstreams;

namespace StreamingApi.Tests.Models;

/// <summary>What every model provider must do the same way, each from its own captures: one theory, the provider as data.</summary>
public sealed class ProviderStreamTests
{
    public static TheoryData<string> Providers => new() { "gemini", "openai" };

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task RequestBodiesGoOutWithContentLengthNotChunked(string provider)
    {
        await using var upstream = await LoopbackUpstream.StartAsync((request, http) => Captures.ReplaySseAsync(http, AnalysisReply(provider, request)));
        await using var app = Application(provider, upstream);

        var frames = await app.CreateClient().GetFramesAsync("/stream/analysis?prompt=Analyze%20our%202024%20sales");

        Assert.Equal("completed", frames[^1]["status"].GetString());
        Assert.Equal(4, upstream.Requests.Count); // with tools, tool results, a schema: the largest bodies this client sends
        Assert.All(upstream.Requests, request => Assert.True(request.HadContentLength, "the body went out chunked"));
    }

    public static TheoryData<string, string, int, string, int> HttpFailures => new()
    {
        // provider, capture, upstream status, what the error says, how many calls the upstream saw
        { "gemini", "gemini/error-429.json", 429, "Retry after 37 s", 1 },
        { "gemini", "gemini/error-500.json", 500, "INTERNAL", 3 },
        { "gemini", "gemini/error-400-key.json", 400, "API key not valid", 1 },
        { "gemini", "gemini/error-404.json", 404, "not found", 1 },
        { "openai", "openai/error-429.json", 429, "rate_limit_exceeded: Rate limit reached for gpt-4o-mini", 4 }, // the client retries a 429 three times, as the OpenAI SDK did (OpenAIRetries)
    };

    [Theory]
    [MemberData(nameof(HttpFailures))]
    public async Task HttpFailuresBecomeAnErrorEventWithTheMatchingStatus(string provider, string capture, int status, string says, int calls)
    {
        await using var upstream = await LoopbackUpstream.StartAsync((_, http) => Captures.ReplayJsonAsync(http, status, capture));
        await using var app = Application(provider, upstream);

        var frames = await app.CreateClient().GetFramesAsync("/stream/text?prompt=hello");

        Assert.Equal(["run", "error", "done"], frames.Select(f => f.Type));
        Assert.Equal("model-error", frames[1]["type"].GetString());
        Assert.Equal(status, frames[1]["status"].GetInt32());
        Assert.Equal(ModelErrors.Title(provider == "gemini" ? "Gemini" : "The model server", status), frames[1]["title"].GetString()); // the mapping both providers share
        Assert.Contains(says, frames[1]["detail"].GetString());
        Assert.DoesNotContain(provider == "gemini" ? ModelApplications.GeminiKey : ModelApplications.OpenAIKey, frames[1].Data);
        Assert.Equal("failed", frames[2]["status"].GetString());
        Assert.Equal(calls, upstream.Requests.Count);
    }

    private static StreamingApiApplication Application(string provider, LoopbackUpstream upstream) =>
        provider == "gemini" ? ModelApplications.Gemini(upstream) : ModelApplications.OpenAI(upstream);

    private static string AnalysisReply(string provider, UpstreamRequest request) =>
        provider == "gemini" ? GeminiStreamTests.AnalysisReply(request) : OpenAIStreamTests.AnalysisReply(request);
}
