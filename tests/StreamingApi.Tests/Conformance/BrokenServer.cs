using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace StreamingApi.Tests.Conformance;

/// <summary>How <see cref="BrokenServer"/> breaks the event streams it passes on.</summary>
public enum Breakage
{
    /// <summary>The third frame of every stream is sent twice: an id repeated.</summary>
    RepeatedId,

    /// <summary>No stream has its <c>done</c>.</summary>
    NoDone,

    /// <summary>The first <c>text</c> frame of every stream has its <c>delta</c> renamed, so its data does not match the schema.</summary>
    FrameAgainstSchema,

    /// <summary>No frame carries <c>retry:</c>.</summary>
    NoRetry,

    /// <summary>Every frame has a comment line among its fields.</summary>
    CommentInFrame,

    /// <summary>The first <c>text</c> frame of every stream has a byte that is not UTF-8 in its data.</summary>
    NotUtf8,

    /// <summary>
    /// Nothing is broken, but no run is ever asked to email its report (the word is taken out of prompts in the query), so
    /// the analyst never calls send_report: a deployment whose model asks for no approval.
    /// </summary>
    NoApprovals,
}

/// <summary>
/// A deliberately broken server for the conformance suite, on a real Kestrel socket: it passes every request on to the
/// real service and its answers back, and breaks the event streams in one way (<see cref="Breakage"/>). Everything else
/// is the service's own, so the suite should fail on the broken rule and on nothing unrelated to it.
/// </summary>
public sealed class BrokenServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _service;
    private readonly Breakage _breakage;

    private BrokenServer(Uri service, Breakage breakage)
    {
        _breakage = breakage;
        // A connection the suite drops is dropped on to the service at once, as it would be without this server between.
        _service = new HttpClient(new SocketsHttpHandler { MaxResponseDrainSize = 0, AllowAutoRedirect = false })
        {
            BaseAddress = service,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.Run(ForwardAsync);
    }

    public Uri BaseAddress => new(_app.Urls.Single().TrimEnd('/') + "/");

    public static async Task<BrokenServer> StartAsync(Uri service, Breakage breakage)
    {
        var server = new BrokenServer(service, breakage);
        await server._app.StartAsync();
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(TimeSpan.FromSeconds(2));
        await _app.DisposeAsync();
        _service.Dispose();
    }

    private async Task ForwardAsync(HttpContext context)
    {
        var query = context.Request.QueryString.ToString();
        if (_breakage == Breakage.NoApprovals) query = query.Replace("email", "print", StringComparison.OrdinalIgnoreCase);
        var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), context.Request.Path + query);
        if (context.Request.ContentType is { } contentType)
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            request.Content = new ByteArrayContent(body.ToArray());
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }
        if (context.Request.Headers["Last-Event-ID"] is { Count: > 0 } lastEventId)
            request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId.ToString());

        try
        {
            using var response = await _service.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
            context.Response.StatusCode = (int)response.StatusCode;
            if (response.Content.Headers.ContentType is { } type) context.Response.ContentType = type.ToString();
            if (response.Headers.Location is { } location) context.Response.Headers.Location = location.OriginalString;
            await using var answer = await response.Content.ReadAsStreamAsync(context.RequestAborted);
            if (response.Content.Headers.ContentType?.MediaType == "text/event-stream") await BreakAsync(answer, context);
            else await answer.CopyToAsync(context.Response.Body, context.RequestAborted);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException && context.RequestAborted.IsCancellationRequested)
        {
            // The suite dropped the connection, as it does on purpose.
        }
    }

    /// <summary>Passes the stream's blocks (frames, heartbeats) on one by one, as they come, broken in one way.</summary>
    private async Task BreakAsync(Stream answer, HttpContext context)
    {
        using var reader = new StreamReader(answer, Encoding.UTF8);
        var block = new List<string>();
        var frames = 0;
        var textBroken = false;
        while (await reader.ReadLineAsync(context.RequestAborted) is { } line)
        {
            if (line.Length > 0)
            {
                block.Add(line);
                continue;
            }
            if (block.Count == 0) continue;
            var isFrame = block.Any(l => l.StartsWith("id:"));
            frames += isFrame ? 1 : 0;
            var copies = 1;
            switch (_breakage)
            {
                case Breakage.RepeatedId when isFrame && frames == 3:
                    copies = 2;
                    break;
                case Breakage.NoDone when block.Contains("event: done"):
                    copies = 0;
                    break;
                case Breakage.FrameAgainstSchema or Breakage.NotUtf8 when !textBroken && block.Contains("event: text"):
                    var broken = _breakage == Breakage.NotUtf8 ? $"\"delta\":\"{NotUtf8Marker}" : "\"content\":\"";
                    block = [.. block.Select(l => l.StartsWith("data:") ? l.Replace("\"delta\":\"", broken) : l)];
                    textBroken = true;
                    break;
                case Breakage.NoRetry:
                    block.RemoveAll(l => l.StartsWith("retry:"));
                    break;
                case Breakage.CommentInFrame when isFrame:
                    block.Insert(1, ": a comment inside a frame");
                    break;
            }
            var bytes = Encoding.UTF8.GetBytes(string.Join('\n', block) + "\n\n");
            if (_breakage == Breakage.NotUtf8) bytes = ReplaceMarker(bytes);
            for (var i = 0; i < copies; i++) await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            block.Clear();
        }
    }

    /// <summary>A character that stands for the byte that is not UTF-8 until the frame is encoded.</summary>
    private const char NotUtf8Marker = '\uFFFF';

    /// <summary>Replaces the marker's UTF-8 bytes (EF BF BF) by 0xFF, a byte that no UTF-8 text has.</summary>
    private static byte[] ReplaceMarker(byte[] bytes)
    {
        var at = bytes.AsSpan().IndexOf("\uFFFF"u8);
        return at < 0 ? bytes : [.. bytes[..at], 0xFF, .. bytes[(at + 3)..]];
    }
}
