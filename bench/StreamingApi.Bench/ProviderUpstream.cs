using System.Collections.Concurrent;
using System.Text;

namespace StreamingApi.Bench;

/// <summary>
/// A model provider's wire on loopback, for scenario 11: this program started by itself as a process of its own (so that
/// neither side's CPU figure includes it), answering streamed calls with pre-built frames as fast as the socket takes
/// them. Two providers:
/// <list type="bullet">
/// <item>OpenAI-compatible, <c>POST …/v1/chat/completions</c>: a first <c>chat.completion.chunk</c> with the role, one
/// per delta, one with <c>finish_reason: "stop"</c>, the usage chunk that servers send for
/// <c>stream_options.include_usage</c>, then <c>data: [DONE]</c>.</item>
/// <item>Gemini, <c>POST …/v1beta/models/{model}:streamGenerateContent?alt=sse</c>: one <c>GenerateContentResponse</c>
/// per delta (<c>candidates[0].content.parts[0].text</c>, with the prompt's <c>usageMetadata</c> as Gemini sends on
/// every chunk), the last with <c>finishReason: "STOP"</c> and the answer's token counts.</item>
/// </list>
/// The frames are copied from what the real APIs send (tests/StreamingApi.Tests/Captures). The number of deltas is
/// the start's (<c>--deltas</c>, 50,000 by default), or the request's when its path starts with <c>/deltas/{n}/</c>:
/// an endpoint of <c>http://127.0.0.1:port/deltas/1000/</c> makes every answer 1,000 deltas long.
/// </summary>
public static class ProviderUpstream
{
    /// <summary>What the upstream writes at a time: the pre-built answer goes out in slices of this size.</summary>
    private const int SliceBytes = 16 * 1024;

    private static readonly string[] Words = ["The ", "quick ", "brown ", "fox ", "jumps ", "over ", "the ", "lazy ", "dog.\\n\\n"];

    private static readonly ConcurrentDictionary<(string Provider, int Deltas), byte[]> Answers = new();

    /// <summary>Starts the upstream as a process of its own on a free loopback port.</summary>
    public static Task<ServerProcess> StartAsync(int deltas) =>
        ServerProcess.StartAsync("dotnet", $"{typeof(ProviderUpstream).Assembly.Location} provider-upstream --deltas {deltas}",
            AppContext.BaseDirectory, new Dictionary<string, string> { ["DOTNET_gcServer"] = "1" });

    public static int Run(string[] args)
    {
        var deltas = args.SkipWhile(a => a != "--deltas").Skip(1).Select(int.Parse).DefaultIfEmpty(50_000).First();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        app.MapGet("/health", () => "Healthy");
        app.MapPost("/v1/chat/completions", (HttpContext http) => AnswerAsync(http, "openai", deltas));
        app.MapPost("/deltas/{count:int}/v1/chat/completions", (int count, HttpContext http) => AnswerAsync(http, "openai", count));
        // Gemini's method rides on the model's path segment ("gemini-2.5-flash:streamGenerateContent"): the route takes it whole.
        app.MapPost("/v1beta/models/{model}", (string model, HttpContext http) => GeminiAsync(http, model, deltas));
        app.MapPost("/deltas/{count:int}/v1beta/models/{model}", (int count, string model, HttpContext http) => GeminiAsync(http, model, count));
        app.Run();
        return 0;
    }

    private static Task GeminiAsync(HttpContext http, string model, int deltas)
    {
        if (model.EndsWith(":streamGenerateContent", StringComparison.Ordinal)) return AnswerAsync(http, "gemini", deltas);
        http.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }

    private static async Task AnswerAsync(HttpContext http, string provider, int deltas)
    {
        var answer = Answers.GetOrAdd((provider, deltas), key => key.Provider == "openai" ? OpenAIAnswer(key.Deltas) : GeminiAnswer(key.Deltas));
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        try
        {
            for (var offset = 0; offset < answer.Length; offset += SliceBytes)
                await http.Response.Body.WriteAsync(answer.AsMemory(offset, Math.Min(SliceBytes, answer.Length - offset)), http.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            // the caller went away
        }
    }

    /// <summary>An OpenAI-compatible answer of <paramref name="deltas"/> content chunks.</summary>
    public static byte[] OpenAIAnswer(int deltas)
    {
        const string head = "data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1764000000,\"model\":\"gpt-4o-mini-2024-07-18\",\"system_fingerprint\":\"fp_0ba0d124f1\",\"choices\":[";
        var answer = new StringBuilder(deltas * 240);
        answer.Append(head).Append("{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n");
        for (var i = 0; i < deltas; i++)
            answer.Append(head).Append("{\"index\":0,\"delta\":{\"content\":\"").Append(Words[i % Words.Length])
                .Append("\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n");
        answer.Append(head).Append("{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":null}\n\n");
        answer.Append(head).Append("],\"usage\":{\"prompt_tokens\":48,\"completion_tokens\":").Append(deltas)
            .Append(",\"total_tokens\":").Append(deltas + 48).Append("}}\n\n");
        answer.Append("data: [DONE]\n\n");
        return Encoding.UTF8.GetBytes(answer.ToString());
    }

    /// <summary>A Gemini answer of <paramref name="deltas"/> chunks, each with one text part.</summary>
    public static byte[] GeminiAnswer(int deltas)
    {
        var answer = new StringBuilder(deltas * 280);
        for (var i = 0; i < deltas; i++)
        {
            var last = i == deltas - 1;
            answer.Append("data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"").Append(Words[i % Words.Length])
                .Append("\"}], \"role\": \"model\"}, \"index\": 0").Append(last ? ", \"finishReason\": \"STOP\"}]" : "}]")
                .Append(", \"usageMetadata\": {\"promptTokenCount\": 48, ");
            if (last) answer.Append("\"candidatesTokenCount\": ").Append(deltas).Append(", \"totalTokenCount\": ").Append(deltas + 48).Append(", \"thoughtsTokenCount\": 0, ");
            else answer.Append("\"totalTokenCount\": 48, ");
            answer.Append("\"promptTokensDetails\": [{\"modality\": \"TEXT\", \"tokenCount\": 48}]}, \"modelVersion\": \"gemini-2.5-flash\", \"responseId\": \"bench-answer\"}\r\n\r\n");
        }
        return Encoding.UTF8.GetBytes(answer.ToString());
    }
}
