using System.Net.ServerSentEvents;
using System.Text.Encodings.Web;

namespace StreamingApi.Bench;

/// <summary>
/// The physical limit of this stack: the same ASP.NET Core SSE machinery (<c>TypedResults.ServerSentEvents</c>,
/// the same JSON options and headers) writing pre-built text frames, with no agent, no run and no log. Paced
/// (<c>perSecond</c>), it writes a first frame with the time it started and then, after <c>delayMs</c>, the text frames
/// due by each tick of a <see cref="PeriodicTimer"/> (one a tick, unless a tick came late), as a bare endpoint at a model's pace would. Under <c>/proxy/…</c> it is
/// the bare proxy of a provider's stream (<see cref="BareProxy"/>).
/// </summary>
public static class BaselineServer
{
    public sealed record TextFrame(string Delta);

    public sealed record StartFrame(string RunId, DateTimeOffset StartedAt);

    public sealed record DoneFrame(string Status);

    public static int Run(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping);
        var app = builder.Build();
        app.MapGet("/health", () => "Healthy");
        app.MapGet("/allocated", () => GC.GetTotalAllocatedBytes(precise: false));
        // The figures the service's System.Runtime instruments give, for the bench's warm-up and GC report.
        app.MapGet("/runtime", () => new RuntimeFigures(System.Runtime.JitInfo.GetCompiledMethodCount(), GC.CollectionCount(0),
            GC.CollectionCount(2), GC.GetTotalPauseDuration().TotalSeconds, ThreadPool.CompletedWorkItemCount));
        app.MapGet("/baseline", (int deltas, double? perSecond, int? delayMs, HttpContext http) =>
        {
            http.Response.Headers.CacheControl = "no-cache, no-store";
            http.Response.Headers["X-Accel-Buffering"] = "no";
            return perSecond is > 0
                ? (IResult)TypedResults.ServerSentEvents(Paced(deltas, perSecond.Value, delayMs ?? 0, http.RequestAborted))
                : TypedResults.ServerSentEvents(Frames(deltas, http.RequestAborted));
        });
        app.MapBareProxy();
        app.Run();
        return 0;
    }

    private static readonly string[] Words = ["The ", "quick ", "brown ", "fox ", "jumps ", "over ", "the ", "lazy ", "dog.\n\n"];

    private static async IAsyncEnumerable<SseItem<object>> Paced(int count, double perSecond, int delayMs,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        yield return new SseItem<object>(new StartFrame("0123456789abcdef", DateTimeOffset.UtcNow), "run") { EventId = "0123456789abcdef:1" };
        if (delayMs > 0) await Task.Delay(delayMs, cancellationToken); // the first token's delay, as the offline model's
        // Token i is due i periods after the first, as the offline model paces them: each tick writes every token due
        // by then, so one tick that comes late does not make every later token late (a periodic timer skips missed ticks).
        var first = System.Diagnostics.Stopwatch.GetTimestamp(); // before the timer: its ticks are never early against it
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1 / perSecond));
        for (var sent = 0; sent < count;)
        {
            var due = Math.Min(count, 1 + (int)(System.Diagnostics.Stopwatch.GetElapsedTime(first).TotalSeconds * perSecond + 0.01));
            for (; sent < due; sent++)
                yield return new SseItem<object>(new TextFrame(Words[sent % Words.Length]), "text") { EventId = $"0123456789abcdef:{sent + 2}" };
            if (sent < count && !await timer.WaitForNextTickAsync(cancellationToken)) yield break;
        }
        yield return new SseItem<object>(new DoneFrame("completed"), "done") { EventId = $"0123456789abcdef:{count + 2}" };
    }

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
