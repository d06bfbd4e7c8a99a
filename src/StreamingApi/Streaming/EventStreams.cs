using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using StreamingApi.Agents;
using StreamingApi.Observability;
using StreamingApi.Runs;

namespace StreamingApi.Streaming;

/// <summary>
/// The one place where a run becomes an HTTP response: starts the run, and streams its numbered events as SSE
/// frames (<c>id: runId:seq</c>, <c>event: type</c>, <c>data: json</c>), each flushed as it is written.
/// </summary>
public sealed class EventStreams(RunCoordinator runs, StreamingMetrics metrics)
{
    public ServerSentEventsResult<AgentEvent> Start(HttpContext http, RunPlan plan)
    {
        var run = runs.Start(plan, http.RequestAborted);
        var response = http.Response;
        response.Headers.CacheControl = "no-cache, no-store";
        response.Headers["X-Accel-Buffering"] = "no";
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        return TypedResults.ServerSentEvents(Frames(run, http.RequestAborted));
    }

    private async IAsyncEnumerable<SseItem<AgentEvent>> Frames(Run run, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var entry in RunCoordinator.Follow(run, 0, cancellationToken).ConfigureAwait(false))
        {
            metrics.EventWritten(entry.Event.EventType);
            yield return ToFrame(run.Id, entry);
        }
    }

    public static SseItem<AgentEvent> ToFrame(string runId, RunEvent entry) =>
        new(entry.Event, entry.Event.EventType) { EventId = $"{runId}:{entry.Sequence}" };
}
