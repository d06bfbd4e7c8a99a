using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace StreamingApi.Tests.Infrastructure;

/// <summary>One SSE frame as a compliant client sees it.</summary>
public sealed record Frame(string Type, string? Id, string Data)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public JsonElement Payload => JsonDocument.Parse(Data).RootElement;

    public JsonElement this[string property] => Payload.GetProperty(property);

    public T As<T>() => JsonSerializer.Deserialize<T>(Data, Json)!;

    public string RunId => Id![..Id!.IndexOf(':')];

    public long Sequence => long.Parse(Id![(Id!.IndexOf(':') + 1)..]);
}

/// <summary>Reads SSE responses with <see cref="SseParser"/>, the spec-compliant parser of System.Net.ServerSentEvents.</summary>
public static class Sse
{
    public static Task<HttpResponseMessage> OpenAsync(this HttpClient client, string url, CancellationToken cancellationToken = default) =>
        client.SendAsync(new HttpRequestMessage(HttpMethod.Get, url), HttpCompletionOption.ResponseHeadersRead, cancellationToken);

    /// <summary>A GET as a reconnecting browser sends it: with the id of the last frame it received.</summary>
    public static Task<HttpResponseMessage> ReconnectAsync(this HttpClient client, string url, string lastEventId, CancellationToken cancellationToken = default)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        return client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    /// <summary>The first <paramref name="count"/> frames of a stream; then the connection is dropped.</summary>
    public static async Task<List<Frame>> ReadThenDropAsync(this HttpClient client, string url, int count, string? lastEventId = null, int timeoutSeconds = 30)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        using var response = lastEventId is null ? await client.OpenAsync(url, timeout.Token) : await client.ReconnectAsync(url, lastEventId, timeout.Token);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        var frames = new List<Frame>();
        await foreach (var frame in response.ReadFramesAsync(timeout.Token))
        {
            frames.Add(frame);
            if (frames.Count == count) break;
        }
        return frames;
    }

    public static Task<HttpResponseMessage> OpenPostAsync(this HttpClient client, string url, string json, CancellationToken cancellationToken = default) =>
        client.SendAsync(new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(json, Encoding.UTF8, "application/json") },
            HttpCompletionOption.ResponseHeadersRead, cancellationToken);

    public static async IAsyncEnumerable<Frame> ReadFramesAsync(this HttpResponseMessage response, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        await foreach (var item in SseParser.Create(stream).EnumerateAsync(cancellationToken))
            yield return new Frame(item.EventType, item.EventId, item.Data);
    }

    /// <summary>The whole stream of a GET, bounded in time so that a hang fails the test instead of stalling it.</summary>
    public static async Task<List<Frame>> GetFramesAsync(this HttpClient client, string url, int timeoutSeconds = 30)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        using var response = await client.OpenAsync(url, timeout.Token);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return await response.ReadFramesAsync(timeout.Token).ToListAsync(timeout.Token);
    }

    /// <summary>The rest of a stream after reconnecting with <paramref name="lastEventId"/>, bounded in time.</summary>
    public static async Task<List<Frame>> ResumeFramesAsync(this HttpClient client, string url, string lastEventId, int timeoutSeconds = 30)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        using var response = await client.ReconnectAsync(url, lastEventId, timeout.Token);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return await response.ReadFramesAsync(timeout.Token).ToListAsync(timeout.Token);
    }

    /// <summary>The run's record, as <c>GET /runs/{runId}</c> gives it.</summary>
    public static async Task<JsonElement> GetRunAsync(this HttpClient client, string runId) =>
        JsonDocument.Parse(await client.GetStringAsync($"/runs/{runId}")).RootElement;

    public static string Text(this IEnumerable<Frame> frames) =>
        string.Concat(frames.Where(f => f.Type == "text").Select(f => f["delta"].GetString()));

    /// <summary>The text a client has once it applied the frames: a <c>snapshot</c> replaces it, a <c>text</c> delta adds to it.</summary>
    public static string AppliedText(this IEnumerable<Frame> frames)
    {
        var text = new StringBuilder();
        foreach (var frame in frames)
        {
            if (frame.Type == "snapshot") text.Clear().Append(frame["text"].GetString());
            else if (frame.Type == "text") text.Append(frame["delta"].GetString());
        }
        return text.ToString();
    }

    public static string Reasoning(this IEnumerable<Frame> frames) =>
        string.Concat(frames.Where(f => f.Type == "reasoning").Select(f => f["delta"].GetString()));

    /// <summary>The frames' types in order, each run of <c>reasoning</c> frames shown once: a model thinks in many small deltas.</summary>
    public static List<string> Shape(this IEnumerable<Frame> frames)
    {
        var shape = new List<string>();
        foreach (var frame in frames)
            if (!(frame.Type == "reasoning" && shape.Count > 0 && shape[^1] == "reasoning")) shape.Add(frame.Type);
        return shape;
    }
}
