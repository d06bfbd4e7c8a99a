using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StreamingApi.Models.Gemini;
using StreamingApi.Tests.Upstreams;

namespace StreamingApi.Tests.Models;

/// <summary>The Gemini client on its own, for what the endpoints do not reach: the non-streaming call.</summary>
public sealed class GeminiChatClientTests
{
    [Fact]
    public async Task GenerateContentMapsTextCallsSignaturesAndUsage()
    {
        await using var upstream = await LoopbackUpstream.StartAsync((_, http) => Captures.ReplayJsonAsync(http, 200, "gemini/generate.json"));
        var services = new ServiceCollection().AddHttpClient().BuildServiceProvider();
        using var client = new GeminiChatClient(services.GetRequiredService<IHttpClientFactory>(),
            Options.Create(new GeminiOptions { ApiKey = ModelApplications.GeminiKey, Endpoint = upstream.Address }), TimeProvider.System);

        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "Stock in Europe?")]);

        Assert.Equal("/v1beta/models/gemini-2.5-flash:generateContent", Assert.Single(upstream.Requests).PathAndQuery);
        Assert.Equal(ModelApplications.GeminiKey, upstream.Requests[0].Headers["x-goog-api-key"]);
        Assert.Equal("Checking stock.", response.Text);
        var call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal("fc-1", call.CallId);
        Assert.Equal("Europe", call.Arguments!["region"]!.ToString());
        Assert.Equal("c2lnLTE=", call.AdditionalProperties![GeminiRequestBuilder.ThoughtSignatureKey]);
        Assert.Equal(30, response.Usage!.InputTokenCount);
        Assert.Equal(9, response.Usage.OutputTokenCount);
        Assert.Equal("gemini-2.5-flash", response.ModelId);
    }
}
