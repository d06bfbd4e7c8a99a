using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace StreamingApi.Tests.Upstreams;

/// <summary>A request the upstream received: what our client sent.</summary>
public sealed record UpstreamRequest(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public JsonObject Json => JsonNode.Parse(Body)!.AsObject();

    /// <summary>The body came with its length up front, not chunked (some servers and proxies refuse chunked bodies).</summary>
    public bool HadContentLength =>
        Headers.TryGetValue("content-length", out var length) && length == System.Text.Encoding.UTF8.GetByteCount(Body).ToString()
        && !Headers.ContainsKey("transfer-encoding");
}

/// <summary>
/// A model API stand-in on a real Kestrel socket at 127.0.0.1 (a free port): records every request and answers
/// with what the test's handler writes, usually a capture replayed from <c>Captures/</c>.
/// </summary>
public sealed class LoopbackUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<UpstreamRequest> _requests = new();

    private LoopbackUpstream(Func<UpstreamRequest, HttpContext, Task> respond)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var request = new UpstreamRequest(context.Request.Method, context.Request.Path + context.Request.QueryString,
                context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()), await reader.ReadToEndAsync());
            _requests.Enqueue(request);
            await respond(request, context);
        });
    }

    public IReadOnlyList<UpstreamRequest> Requests => [.. _requests];

    public Uri Address => new(_app.Urls.Single().TrimEnd('/') + "/");

    public static async Task<LoopbackUpstream> StartAsync(Func<UpstreamRequest, HttpContext, Task> respond)
    {
        var upstream = new LoopbackUpstream(respond);
        await upstream._app.StartAsync();
        return upstream;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(TimeSpan.FromSeconds(2));
        await _app.DisposeAsync();
    }
}

/// <summary>Writes the captures kept under <c>Captures/</c> the way the real APIs send them.</summary>
public static class Captures
{
    public static string Read(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Captures", name));

    /// <summary>Sends an SSE capture event by event, flushing each, as a streaming API does.</summary>
    public static async Task ReplaySseAsync(HttpContext context, string name, int? abortAfterEvents = null)
    {
        context.Response.ContentType = "text/event-stream";
        var events = Read(name).Replace("\r\n", "\n").Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < events.Length; i++)
        {
            if (i == abortAfterEvents)
            {
                await Task.Delay(200); // let what was sent arrive, then drop the connection
                context.Abort();
                return;
            }
            await context.Response.WriteAsync(events[i].Trim('\n') + "\r\n\r\n");
            await context.Response.Body.FlushAsync();
        }
    }

    public static async Task ReplayJsonAsync(HttpContext context, int status, string name)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(Read(name));
    }
}
