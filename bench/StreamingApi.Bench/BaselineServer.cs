using System.Net.ServerSentEvents;
using System.Text.Encodings.Web;

namespace StreamingApi.Bench;

/// <summary>
/// The physical limit of this stack: the same ASP.NET Core SSE machinery (<c>TypedResults.ServerSentEvents</c>,
/// the same JSON options and headers) writing pre-built text frames, with no agent, no run and no log.
/// </summary>
public static class BaselineServer
{
    public sealed record TextFrame(string Delta);

    public static int Run(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping);
        var app = builder.Build();
        app.MapGet("/health", () => "Healthy");
        app.MapGet("/allocated", () => GC.GetTotalAllocatedBytes(precise: false));
        app.MapGet("/baseline", (int deltas, HttpContext http) =>
        {
            http.Response.Headers.CacheControl = "no-cache, no-store";
            http.Response.Headers["X-Accel-Buffering"] = "no";
            return TypedResults.ServerSentEvents(Frames(deltas, http.RequestAborted));
        });
        app.Run();
        return 0;
    }

    private static readonly string[] Words = ["The ", "quick ", "brown ", "fox ", "jumps ", "over ", "the ", "lazy ", "dog.\n\n"];

    private static async IAsyncEnumerable<SseItem<TextFrame>> Frames(int count,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var frames = new SseItem<TextFrame>[count];
        for (var i = 0; i < count; i++)
            frames[i] = new SseItem<TextFrame>(new TextFrame(Words[i % Words.Length]), "text") { EventId = $"0123456789abcdef:{i + 1}" };
        await Task.Yield();
        foreach (var frame in frames)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return frame;
        }
    }
}
