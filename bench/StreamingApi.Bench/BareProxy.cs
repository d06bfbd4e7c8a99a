using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace StreamingApi.Bench;

/// <summary>
/// The baseline of scenario 11, in the baseline's server: the least a proxy of a model's stream does. It calls the
/// provider's streaming API (<see cref="ProviderUpstream"/>) with one <see cref="HttpClient"/>, reads the answer with
/// <see cref="SseParser"/>, takes each chunk's text out of its JSON with System.Text.Json, and re-emits it as a text
/// frame through the same ASP.NET Core SSE machinery as <see cref="BaselineServer"/>'s frames: no agent, no run, no log.
/// </summary>
public static class BareProxy
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static readonly HttpClient Http = new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = int.MaxValue,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        AutomaticDecompression = System.Net.DecompressionMethods.None,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    /// <summary><c>GET /proxy/{provider}?upstream=…</c>: <c>openai</c> or <c>gemini</c>, the upstream's base address as the service is given it.</summary>
    public static void MapBareProxy(this WebApplication app) =>
        app.MapGet("/proxy/{provider}", (string provider, string upstream, HttpContext http) =>
        {
            http.Response.Headers.CacheControl = "no-cache, no-store";
            http.Response.Headers["X-Accel-Buffering"] = "no";
            return provider switch
            {
                "openai" => (IResult)TypedResults.ServerSentEvents(ProxyAsync(OpenAIRequest(new Uri(upstream)), OpenAIText, http.RequestAborted)),
                "gemini" => TypedResults.ServerSentEvents(ProxyAsync(GeminiRequest(new Uri(upstream)), GeminiText, http.RequestAborted)),
                _ => TypedResults.NotFound(),
            };
        });

    private static async IAsyncEnumerable<SseItem<BaselineServer.TextFrame>> ProxyAsync(HttpRequestMessage request,
        SseItemParser<string?> delta, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var _ = request;
        using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var sequence = 0;
        await foreach (var item in SseParser.Create(body, delta).EnumerateAsync(cancellationToken))
            if (item.Data is { Length: > 0 } text)
                yield return new SseItem<BaselineServer.TextFrame>(new BaselineServer.TextFrame(text), "text") { EventId = $"0123456789abcdef:{++sequence}" };
    }

    private static HttpRequestMessage OpenAIRequest(Uri upstream) => new(HttpMethod.Post, new Uri(upstream, "chat/completions"))
    {
        Content = JsonContent.Create(new
        {
            model = "gpt-4o-mini",
            messages = new[] { new { role = "user", content = "Explain server-sent events" } },
            stream = true,
            stream_options = new { include_usage = true },
        }),
    };

    private static HttpRequestMessage GeminiRequest(Uri upstream) => new(HttpMethod.Post, new Uri(upstream, "v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"))
    {
        Content = JsonContent.Create(new { contents = new[] { new { role = "user", parts = new[] { new { text = "Explain server-sent events" } } } } }),
    };

    /// <summary><c>choices[0].delta.content</c>; none for the role's, the finish's and the usage's chunks, and <c>[DONE]</c>.</summary>
    private static string? OpenAIText(string eventType, ReadOnlySpan<byte> data) =>
        data.SequenceEqual("[DONE]"u8) ? null : JsonSerializer.Deserialize<OpenAIChunk>(data, Json)?.Choices is [{ Delta.Content: var text }, ..] ? text : null;

    /// <summary><c>candidates[0].content.parts[0].text</c>.</summary>
    private static string? GeminiText(string eventType, ReadOnlySpan<byte> data) =>
        JsonSerializer.Deserialize<GeminiChunk>(data, Json)?.Candidates is [{ Content.Parts: [{ Text: var text }, ..] }, ..] ? text : null;

    private sealed record OpenAIChunk(List<OpenAIChoice>? Choices);

    private sealed record OpenAIChoice(OpenAIDelta Delta);

    private sealed record OpenAIDelta(string? Content);

    private sealed record GeminiChunk(List<GeminiCandidate>? Candidates);

    private sealed record GeminiCandidate(GeminiContent? Content);

    private sealed record GeminiContent(List<GeminiPart>? Parts);

    private sealed record GeminiPart(string? Text);
}
