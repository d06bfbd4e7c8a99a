using Microsoft.Extensions.AI;
using StreamingApi.Models.OpenAI;
using StreamingApi.Tests.Upstreams;

namespace StreamingApi.Tests.Models;

/// <summary>The OpenAI-compatible client on its own, for what the endpoints do not reach: the non-streaming call.</summary>
public sealed class OpenAIChatClientTests
{
    [Fact]
    public async Task ACompletionKeepsItsReasoningApartAndItsCallGetsAnIdOfItsOwn()
    {
        await using var upstream = await LoopbackUpstream.StartAsync((_, http) => Captures.ReplayJsonAsync(http, 200, "openai/completion.json"));
        using var client = OpenAIChatClientFactory.Create(new OpenAIOptions { Endpoint = new Uri(upstream.Address, "v1"), Model = "qwen3" });

        // The server numbers its calls per answer: call_0 is already the id of the earlier call.
        List<ChatMessage> conversation =
        [
            new(ChatRole.User, "Stock in Europe?"),
            new(ChatRole.Assistant, [new FunctionCallContent("call_0", "inventory_check_inventory", new Dictionary<string, object?> { ["region"] = "Asia" })]),
            new(ChatRole.Tool, [new FunctionResultContent("call_0", """{"inStock":12}""")]),
        ];
        var response = await client.GetResponseAsync(conversation);

        var contents = response.Messages.SelectMany(m => m.Contents).ToList();
        Assert.Equal("The user wants stock for Europe; check_inventory answers that.", Assert.Single(contents.OfType<TextReasoningContent>()).Text);
        Assert.Equal("Checking the stock.", response.Text);
        var call = Assert.Single(contents.OfType<FunctionCallContent>());
        Assert.NotEqual("call_0", call.CallId);
        Assert.Equal("Europe", call.Arguments!["region"]!.ToString());
        Assert.Equal(14, response.Usage!.ReasoningTokenCount);
        Assert.Equal("/v1/chat/completions", Assert.Single(upstream.Requests).PathAndQuery);
    }
}
