using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using StreamingApi.Models.Gemini;
using StreamingApi.Models.OpenAI;
using StreamingApi.Tests.Upstreams;

namespace StreamingApi.Tests.Models;

/// <summary>
/// Both providers' pipelines, as the application composes them, give a call without an id, or with an id the
/// conversation already holds, an id of its own; Gemini still gets its own id back with the call and its result.
/// The endpoints' streams over many turns are in <see cref="GeminiCallIdentityTests"/>.
/// </summary>
public sealed class UniqueCallIdsTests
{
    [Fact]
    public async Task OpenAIStreamedCallsWithoutAnIdOrWithATakenOneGetIdsOfTheirOwn()
    {
        await using var upstream = await LoopbackUpstream.StartAsync((_, http) => WriteSseAsync(http,
            """{"id":"c","object":"chat.completion.chunk","created":1764000000,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","tool_calls":[{"index":0,"id":"call_inv","type":"function","function":{"name":"inventory_check_inventory","arguments":"{\"region\":\"Asia\"}"}}]},"finish_reason":null}]}""",
            """{"id":"c","object":"chat.completion.chunk","created":1764000000,"model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"","type":"function","function":{"name":"inventory_check_inventory","arguments":"{\"region\":\"Europe\"}"}}]},"finish_reason":null}]}""",
            """{"id":"c","object":"chat.completion.chunk","created":1764000000,"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}""",
            "[DONE]"));
        using var client = OpenAIChatClientFactory.Create(new OpenAIOptions { Endpoint = new Uri(upstream.Address, "v1"), Model = "m" });

        // The server numbers its calls per answer: call_inv is already the id of the earlier call. The second call's id
        // is empty, as some compatible servers send it.
        List<ChatMessage> conversation =
        [
            new(ChatRole.User, "Stock in Europe?"),
            new(ChatRole.Assistant, [new FunctionCallContent("call_inv", "inventory_check_inventory", new Dictionary<string, object?> { ["region"] = "Asia" })]),
            new(ChatRole.Tool, [new FunctionResultContent("call_inv", """{"inStock":12}""")]),
        ];
        List<ChatResponseUpdate> updates = [];
        await foreach (var update in client.GetStreamingResponseAsync(conversation)) updates.Add(update);

        var ids = updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>().Select(c => c.CallId).ToList();
        Assert.Equal(2, ids.Count);
        Assert.All(ids, id => Assert.False(string.IsNullOrEmpty(id)));
        Assert.DoesNotContain("call_inv", ids);
        Assert.Equal(2, ids.Distinct().Count());
    }

    [Fact]
    public async Task GeminiCallsWithoutIdsGetIdsOfTheirOwnAndNoneGoesBackToGemini()
    {
        await using var upstream = await LoopbackUpstream.StartAsync((_, http) => WriteJsonAsync(http, """
            {"candidates":[{"content":{"role":"model","parts":[
              {"functionCall":{"name":"inventory_check_inventory","args":{"region":"Europe"}},"thoughtSignature":"c2lnLTE="},
              {"functionCall":{"name":"inventory_check_inventory","args":{"region":"Asia"}}}]},"finishReason":"STOP"}]}
            """));
        await using var app = ModelApplications.Gemini(upstream);
        var client = app.Services.GetRequiredService<IChatClient>();

        List<ChatMessage> conversation = [new(ChatRole.User, "Stock in Europe and Asia?")];
        var response = await client.GetResponseAsync(conversation);
        var calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
        Assert.Equal(2, calls.Count);
        Assert.All(calls, c => Assert.False(string.IsNullOrEmpty(c.CallId)));
        Assert.NotEqual(calls[0].CallId, calls[1].CallId);
        Assert.All(calls, c => Assert.False(c.AdditionalProperties?.ContainsKey(GeminiRequestBuilder.GeminiCallIdKey) ?? false));

        conversation.AddRange(response.Messages);
        conversation.Add(new(ChatRole.Tool, calls.Select(c => (AIContent)new FunctionResultContent(c.CallId, new { inStock = 1 })).ToList()));
        await client.GetResponseAsync(conversation);

        var contents = upstream.Requests[1].Json["contents"]!.AsArray();
        Assert.DoesNotContain("\"id\"", contents.ToJsonString());
        Assert.Equal("c2lnLTE=", contents[1]!["parts"]![0]!["thoughtSignature"]!.GetValue<string>());
        Assert.Equal(["Europe", "Asia"], contents[1]!["parts"]!.AsArray().Select(p => p!["functionCall"]!["args"]!["region"]!.GetValue<string>()));
        Assert.Equal(2, contents[2]!["parts"]!.AsArray().Count(p => p!["functionResponse"] is not null));
    }

    [Fact]
    public async Task AGeminiIdTheConversationHoldsIsRenamedHereButGoesBackToGeminiAsItSentIt()
    {
        await using var upstream = await LoopbackUpstream.StartAsync((_, http) => Captures.ReplayJsonAsync(http, 200, "gemini/generate.json"));
        await using var app = ModelApplications.Gemini(upstream);
        var client = app.Services.GetRequiredService<IChatClient>();

        // Gemini answered fc-1 before; generate.json calls fc-1 again.
        List<ChatMessage> conversation =
        [
            new(ChatRole.User, "Stock in Asia?"),
            new(ChatRole.Assistant, [new FunctionCallContent("fc-1", "inventory_check_inventory", new Dictionary<string, object?> { ["region"] = "Asia" })
            {
                AdditionalProperties = new() { [GeminiRequestBuilder.GeminiCallIdKey] = "fc-1" },
            }]),
            new(ChatRole.Tool, [new FunctionResultContent("fc-1", new { inStock = 12 })]),
            new(ChatRole.User, "And in Europe?"),
        ];
        var response = await client.GetResponseAsync(conversation);
        var call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.NotEqual("fc-1", call.CallId);
        Assert.Equal("fc-1", call.AdditionalProperties![GeminiRequestBuilder.GeminiCallIdKey]);
        Assert.Equal("c2lnLTE=", call.AdditionalProperties[GeminiRequestBuilder.ThoughtSignatureKey]);

        conversation.AddRange(response.Messages);
        conversation.Add(new(ChatRole.Tool, [new FunctionResultContent(call.CallId, new { inStock = 3 })]));
        await client.GetResponseAsync(conversation);

        // Each result goes back under its own call, both with the id Gemini gave them.
        var contents = upstream.Requests[1].Json["contents"]!.AsArray();
        var lastCall = contents[^2]!["parts"]!.AsArray().Select(p => p!["functionCall"]).OfType<JsonNode>().Single();
        Assert.Equal("fc-1", lastCall["id"]!.GetValue<string>());
        Assert.Equal("Europe", lastCall["args"]!["region"]!.GetValue<string>());
        Assert.Equal("c2lnLTE=", contents[^2]!["parts"]!.AsArray().Single(p => p!["functionCall"] is not null)!["thoughtSignature"]!.GetValue<string>());
        var lastResult = contents[^1]!["parts"]!.AsArray().Single()!["functionResponse"]!;
        Assert.Equal("fc-1", lastResult["id"]!.GetValue<string>());
        Assert.Equal(3, lastResult["response"]!["inStock"]!.GetValue<int>());
        Assert.Equal(12, contents[2]!["parts"]!.AsArray().Select(p => p!["functionResponse"]).OfType<JsonNode>().Single()["response"]!["inStock"]!.GetValue<int>());
    }

    private static async Task WriteSseAsync(HttpContext context, params string[] events)
    {
        context.Response.ContentType = "text/event-stream";
        foreach (var data in events) await context.Response.WriteAsync($"data: {data}\r\n\r\n");
    }

    private static async Task WriteJsonAsync(HttpContext context, string json)
    {
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(json);
    }
}
