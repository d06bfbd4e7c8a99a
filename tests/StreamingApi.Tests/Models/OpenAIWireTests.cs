using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using StreamingApi.Agents;
using StreamingApi.Models.OpenAI;
using StreamingApi.Tests.Upstreams;

namespace StreamingApi.Tests.Models;

/// <summary>
/// The OpenAI-compatible client's reading of the wire, on its own against a loopback server: what the OpenAI SDK and
/// Microsoft.Extensions.AI.OpenAI did before it and the endpoint tests reach only in part.
/// </summary>
public sealed class OpenAIWireTests
{
    private const string Head = """{"id":"chatcmpl-w","object":"chat.completion.chunk","created":1764000000,"model":"m-2025","choices":""";

    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ToolCallPiecesAcrossChunksBecomeOneCallEachAfterTheLastChunk()
    {
        await using var upstream = await LoopbackUpstream.StartAsync((_, http) => WriteSseAsync(http,
            Head + """[{"index":0,"delta":{"role":"assistant","content":null},"finish_reason":null}]}""",
            Head + """[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"inventory_check_inventory","arguments":""}}]},"finish_reason":null}]}""",
            Head + """[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_b","type":"function","function":{"name":"analytics_fetch_sales_data","arguments":"{\"ye"}}]},"finish_reason":null}]}""",
            Head + """[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"region\":"}}]},"finish_reason":null}]}""",
            Head + """[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"Europe\"}"}},{"index":1,"function":{"arguments":"ar\":2024}"}}]},"finish_reason":null}]}""",
            Head + """[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}""",
            "[DONE]"));
        using var client = Client(upstream);

        var updates = await ReadAllAsync(client.GetStreamingResponseAsync("Stock?"));

        Assert.Empty(updates.Take(updates.Count - 1).SelectMany(u => u.Contents).OfType<FunctionCallContent>());
        var last = updates[^1];
        var calls = last.Contents.OfType<FunctionCallContent>().ToList();
        Assert.Equal(["call_a", "call_b"], calls.Select(c => c.CallId));
        Assert.Equal(["inventory_check_inventory", "analytics_fetch_sales_data"], calls.Select(c => c.Name));
        Assert.Equal("Europe", ((JsonElement)calls[0].Arguments!["region"]!).GetString());
        Assert.Equal(2024, ((JsonElement)calls[1].Arguments!["year"]!).GetInt32());
        Assert.Equal(ChatFinishReason.ToolCalls, last.FinishReason);
        Assert.Equal("chatcmpl-w", last.ResponseId);
        Assert.Equal("m-2025", last.ModelId);
    }

    [Fact]
    public async Task ACallWithNoIdAtAllGetsOneOfItsOwnAndBrokenArgumentsDoNotThrow()
    {
        await using var upstream = await LoopbackUpstream.StartAsync((_, http) => WriteSseAsync(http,
            Head + """[{"index":0,"delta":{"role":"assistant","tool_calls":[{"index":0,"type":"function","function":{"name":"inventory_check_inventory","arguments":"{\"region\":\"Asia\"}"}}]},"finish_reason":null}]}""",
            Head + """[{"index":0,"delta":{"tool_calls":[{"index":1,"type":"function","function":{"name":"inventory_check_inventory","arguments":"{\"region\":"}}]},"finish_reason":"tool_calls"}]}""",
            "[DONE]"));
        using var client = Client(upstream);

        var calls = (await ReadAllAsync(client.GetStreamingResponseAsync("Stock?"))).SelectMany(u => u.Contents).OfType<FunctionCallContent>().ToList();

        Assert.Equal(2, calls.Count);
        Assert.All(calls, c => Assert.False(string.IsNullOrEmpty(c.CallId)));
        Assert.NotEqual(calls[0].CallId, calls[1].CallId);
        Assert.Equal("Asia", calls[0].Arguments!["region"]!.ToString());
        Assert.Null(calls[0].Exception);
        Assert.NotNull(calls[1].Exception); // its arguments broke off: the call carries the failure for the tool loop to answer
    }

    [Fact]
    public async Task TheUsageChunkWithNoChoicesGivesTheAnswersTokenCounts()
    {
        await using var upstream = await LoopbackUpstream.StartAsync((_, http) => WriteSseAsync(http,
            Head + """[{"index":0,"delta":{"role":"assistant","content":"Hi"},"finish_reason":null}]}""",
            Head + """[{"index":0,"delta":{},"finish_reason":"stop"}]}""",
            Head + """[],"usage":{"prompt_tokens":40,"completion_tokens":30,"total_tokens":70,"prompt_tokens_details":{"cached_tokens":8},"completion_tokens_details":{"reasoning_tokens":14}}}""",
            "[DONE]"));
        using var client = Client(upstream);

        var updates = await ReadAllAsync(client.GetStreamingResponseAsync("Hi?"));

        Assert.Equal(3, updates.Count); // one update per chunk, none for [DONE], none for calls
        var usage = Assert.IsType<UsageContent>(Assert.Single(updates[^1].Contents)).Details;
        Assert.Equal((40L, 30L, 70L, 8L, 14L), (usage.InputTokenCount, usage.OutputTokenCount, usage.TotalTokenCount, usage.CachedInputTokenCount, usage.ReasoningTokenCount));
        Assert.Equal(ChatFinishReason.Stop, updates[^1].FinishReason);
        var response = updates.ToChatResponse();
        Assert.Equal("Hi", response.Text);
        Assert.Equal(70, response.Usage!.TotalTokenCount);
    }

    [Fact]
    public async Task DoneEndsTheAnswerThoughTheServerKeepsTheConnectionOpen()
    {
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await LoopbackUpstream.StartAsync(async (_, http) =>
        {
            await WriteSseAsync(http, Head + """[{"index":0,"delta":{"content":"Done."},"finish_reason":"stop"}]}""", "[DONE]", "not json, never read");
            await http.Response.Body.FlushAsync();
            await WaitForAbortAsync(http, aborted);
        });
        using var client = Client(upstream);

        var updates = await ReadAllAsync(client.GetStreamingResponseAsync("Hi?")).WaitAsync(Generous);

        Assert.Equal("Done.", updates.ToChatResponse().Text);
        await aborted.Task.WaitAsync(Generous); // and the connection was let go
    }

    [Fact]
    public async Task AnErrorTheServerSendsMidStreamIsA502WithItsWordsButNeverTheKey()
    {
        await using var upstream = await LoopbackUpstream.StartAsync((_, http) => WriteSseAsync(http,
            Head + """[{"index":0,"delta":{"role":"assistant","content":"Half"},"finish_reason":null}]}""",
            """{"error":{"message":"The engine crashed; key sk-test-0123456789 was fine.","type":"server_error","code":"engine_overloaded"}}""",
            "[DONE]"));
        using var client = Client(upstream, ModelApplications.OpenAIKey);

        var updates = new List<ChatResponseUpdate>();
        var error = await Assert.ThrowsAsync<ModelCallException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("Hi?")) updates.Add(update);
        });

        Assert.Equal("Half", Assert.Single(updates).Text);
        Assert.Equal(502, error.Status);
        Assert.Equal("The model server failed", error.Title);
        Assert.Equal("The model server's answer broke off with an error engine_overloaded: The engine crashed; key *** was fine.", error.Message);
    }

    [Fact]
    public async Task AChunkThatIsNotJsonIsA502MalformedEvent()
    {
        await using var upstream = await LoopbackUpstream.StartAsync((_, http) => WriteSseAsync(http, "{\"id\":", "[DONE]"));
        using var client = Client(upstream);

        var error = await Assert.ThrowsAsync<ModelCallException>(() => ReadAllAsync(client.GetStreamingResponseAsync("Hi?")));

        Assert.Equal(502, error.Status);
        Assert.Equal("The model server sent a malformed event", error.Title);
    }

    [Fact]
    public async Task CancellingStopsReadingAndLetsTheConnectionGo()
    {
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await LoopbackUpstream.StartAsync(async (_, http) =>
        {
            await WriteSseAsync(http, Head + """[{"index":0,"delta":{"role":"assistant","content":"First"},"finish_reason":null}]}""");
            await http.Response.Body.FlushAsync();
            await WaitForAbortAsync(http, aborted);
        });
        using var client = Client(upstream);
        using var cancellation = new CancellationTokenSource();

        var afterCancelling = 0;
        var reading = Task.Run(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("Hi?", cancellationToken: cancellation.Token))
            {
                if (cancellation.IsCancellationRequested) afterCancelling++;
                if (update.Text == "First") await cancellation.CancelAsync();
            }
        });

        // A cancelled stream ends quietly, as the offline model's does (the caller knows why from its token): no exception.
        await reading.WaitAsync(Generous);
        Assert.Equal(0, afterCancelling);
        await aborted.Task.WaitAsync(Generous);
    }

    [Fact]
    public async Task TheRequestCarriesTheOptionsToolChoiceAndSchema()
    {
        await using var upstream = await LoopbackUpstream.StartAsync((_, http) => WriteSseAsync(http, "[DONE]"));
        using var client = Client(upstream);
        var tool = AIFunctionFactory.Create((string region) => region, "inventory_check_inventory", "Checks the stock of a region.");
        var options = new ChatOptions
        {
            Temperature = 0.25f,
            TopP = 0.5f,
            MaxOutputTokens = 300,
            Seed = 7,
            StopSequences = ["END"],
            Tools = [tool],
            ToolMode = ChatToolMode.RequireSpecific("inventory_check_inventory"),
            ResponseFormat = ChatResponseFormat.ForJsonSchema(JsonDocument.Parse("""{"type":"object","properties":{"a":{"type":"string"}}}""").RootElement, "Answer"),
        };
        List<ChatMessage> conversation =
        [
            new(ChatRole.System, "Be brief."),
            new(ChatRole.User, "Stock?"),
            new(ChatRole.Assistant, [new TextContent("Checking."), new FunctionCallContent("call_1", "inventory_check_inventory", new Dictionary<string, object?> { ["region"] = "Asia" })]),
            new(ChatRole.Tool, [new FunctionResultContent("call_1", new { inStock = 12 })]),
        ];

        await ReadAllAsync(client.GetStreamingResponseAsync(conversation, options));

        var body = Assert.Single(upstream.Requests).Json;
        Assert.True(body["stream_options"]!["include_usage"]!.GetValue<bool>());
        Assert.Equal(0.25f, body["temperature"]!.GetValue<float>());
        Assert.Equal(0.5f, body["top_p"]!.GetValue<float>());
        Assert.Equal(300, body["max_completion_tokens"]!.GetValue<int>());
        Assert.Equal(7, body["seed"]!.GetValue<int>());
        Assert.Equal("END", body["stop"]![0]!.GetValue<string>());
        Assert.Equal("inventory_check_inventory", body["tool_choice"]!["function"]!["name"]!.GetValue<string>());
        var function = body["tools"]![0]!["function"]!;
        Assert.Equal("Checks the stock of a region.", function["description"]!.GetValue<string>());
        Assert.Equal("string", function["parameters"]!["properties"]!["region"]!["type"]!.GetValue<string>());
        Assert.Equal(["region"], function["parameters"]!["required"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.Equal("Answer", body["response_format"]!["json_schema"]!["name"]!.GetValue<string>());
        Assert.Equal("string", body["response_format"]!["json_schema"]!["schema"]!["properties"]!["a"]!["type"]!.GetValue<string>());
        var messages = body["messages"]!.AsArray();
        Assert.Equal(["system", "user", "assistant", "tool"], messages.Select(m => m!["role"]!.GetValue<string>()));
        Assert.Equal("Checking.", messages[2]!["content"]!.GetValue<string>());
        Assert.Equal("Asia", JsonDocument.Parse(messages[2]!["tool_calls"]![0]!["function"]!["arguments"]!.GetValue<string>()).RootElement.GetProperty("region").GetString());
        Assert.Equal("call_1", messages[3]!["tool_call_id"]!.GetValue<string>());
        Assert.Equal(12, JsonDocument.Parse(messages[3]!["content"]!.GetValue<string>()).RootElement.GetProperty("inStock").GetInt32());
    }

    private static IChatClient Client(LoopbackUpstream upstream, string? key = null) =>
        OpenAIChatClientFactory.Create(new OpenAIOptions { Endpoint = new Uri(upstream.Address, "v1"), Model = "m", ApiKey = key });

    private static async Task<List<ChatResponseUpdate>> ReadAllAsync(IAsyncEnumerable<ChatResponseUpdate> updates)
    {
        List<ChatResponseUpdate> all = [];
        await foreach (var update in updates) all.Add(update);
        return all;
    }

    private static async Task WriteSseAsync(HttpContext context, params string[] events)
    {
        context.Response.ContentType = "text/event-stream";
        foreach (var data in events) await context.Response.WriteAsync($"data: {data}\n\n");
    }

    /// <summary>Holds the answer open until the client lets the connection go, and says so.</summary>
    private static async Task WaitForAbortAsync(HttpContext context, TaskCompletionSource aborted)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            aborted.TrySetResult();
        }
    }
}
