using System.Diagnostics;

namespace StreamingApi.Observability;

/// <summary>
/// The spans of runs, after the OpenTelemetry GenAI conventions: <c>invoke_agent {agent}</c> for a run (a child of the
/// request that started it, though the run outlives it), and <c>resume_run</c> for a reader that comes back to a run,
/// linked to the run's trace. The model calls (<c>chat {model}</c>) and tool calls (<c>execute_tool {name}</c>) below a
/// run's span come from Microsoft.Extensions.AI (<see cref="ModelSourceName"/>).
/// </summary>
/// <remarks>
/// Without a tracer provider nothing listens to these sources: <see cref="ActivitySource.StartActivity(string, ActivityKind)"/>
/// returns null and every method here does nothing.
/// </remarks>
public static class RunTracing
{
    /// <summary>The source of the runs' own spans.</summary>
    public const string SourceName = "StreamingApi";

    /// <summary>The source (and meter) of the model and tool spans and the <c>gen_ai.client.*</c> metrics.</summary>
    public const string ModelSourceName = "StreamingApi.Models";

    public const string RunId = "streamingapi.run.id";
    public const string Endpoint = "streamingapi.endpoint";
    public const string Status = "streamingapi.run.status";
    public const string Reason = "streamingapi.run.reason";
    public const string After = "streamingapi.run.after";
    public const string Opening = "streamingapi.run.opening";

    private static readonly ActivitySource Source = new(SourceName);

    /// <summary>Whether anything records spans: when nothing does, a caller skips the work that would only feed them.</summary>
    public static bool IsOn => Source.HasListeners();

    /// <summary>A run's span, a child of the current activity (the request's); Activity.Current while the run starts.</summary>
    public static Activity? StartRun(string runId, string agent, string model, string endpoint, string? threadId)
    {
        var activity = Source.StartActivity($"invoke_agent {agent}", ActivityKind.Internal);
        if (activity is not { IsAllDataRequested: true }) return activity;
        activity.SetTag("gen_ai.operation.name", "invoke_agent");
        activity.SetTag("gen_ai.agent.name", agent);
        activity.SetTag("gen_ai.request.model", model);
        if (threadId is not null) activity.SetTag("gen_ai.conversation.id", threadId);
        activity.SetTag(RunId, runId);
        activity.SetTag(Endpoint, endpoint);
        return activity;
    }

    /// <summary>The run failed: its span is an error, with the exception as an event and the error's type.</summary>
    public static void Failed(Activity? activity, Exception exception, string errorType)
    {
        if (activity is null) return;
        activity.SetStatus(ActivityStatusCode.Error, errorType);
        activity.SetTag("error.type", errorType);
        activity.AddException(exception);
    }

    /// <summary>Ends a run's span with the run's status and reason (<c>done</c>'s).</summary>
    public static void Ended(Activity? activity, string status, string? reason)
    {
        if (activity is null) return;
        activity.SetTag(Status, status);
        if (reason is not null) activity.SetTag(Reason, reason);
        activity.Stop();
    }

    /// <summary>
    /// A reader resuming run <paramref name="runId"/> after <paramref name="after"/>: its own span in the request's trace,
    /// linked to the run's (<paramref name="runTraceParent"/>, the run's W3C <c>traceparent</c>), wherever the run executes.
    /// </summary>
    public static Activity? StartResume(string runId, long after, string? runTraceParent)
    {
        ActivityLink[]? links = runTraceParent is not null && ActivityContext.TryParse(runTraceParent, null, out var run) ? [new ActivityLink(run)] : null;
        var activity = Source.StartActivity(ActivityKind.Internal, links: links, name: "resume_run");
        activity?.SetTag(RunId, runId);
        activity?.SetTag(After, after);
        return activity;
    }
}
