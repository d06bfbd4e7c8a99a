using System.Diagnostics;

namespace StreamingApi.Observability;

/// <summary>
/// The spans of runs, after the OpenTelemetry GenAI conventions: <c>invoke_agent {agent}</c> for a run (a child of the
/// request that started it, though the run outlives it), and <c>resume_run</c> for a reader that comes back to a run,
/// linked to the run's trace. Below a run's span, the model calls (<c>chat {model}</c>) come from Microsoft.Extensions.AI's
/// OpenTelemetry client (<see cref="ModelSourceName"/>), and the tool calls (<c>execute_tool {name}</c>) from its function
/// invoker, which takes this source from the surrounding <c>invoke_agent</c> span.
/// </summary>
/// <remarks>
/// Without a tracer provider nothing listens to these sources: <see cref="ActivitySource.StartActivity(string, ActivityKind)"/>
/// returns null and every method here does nothing.
/// </remarks>
public static class RunTracing
{
    /// <summary>The source of the runs' own spans.</summary>
    public const string SourceName = "StreamingApi";

    /// <summary>
    /// The source of the model and tool spans. Also the name of the model's OpenTelemetry client's meter, which is not
    /// exported: the <c>gen_ai.client.*</c> metrics are <see cref="ModelCallMetrics"/>'.
    /// </summary>
    public const string ModelSourceName = "StreamingApi.Models";

    public const string RunId = "streamingapi.run.id";
    public const string Endpoint = "streamingapi.endpoint";
    public const string Status = "streamingapi.run.status";
    public const string Reason = "streamingapi.run.reason";
    public const string After = "streamingapi.run.after";
    public const string Opening = "streamingapi.run.opening";

    private static readonly ActivitySource Source = new(SourceName);

    /// <summary>
    /// Whether a span started now would be recorded (a tracer provider listens, and the current trace is sampled): when
    /// not, a caller skips the work that would only feed it.
    /// </summary>
    public static bool IsRecording => Source.HasListeners() && Activity.Current is { Recorded: true };

    /// <summary>A run's span, a child of the current activity (the request's); Activity.Current while the run starts.</summary>
    public static Activity? StartRun(string runId, string agent, string model, string endpoint, string? threadId) =>
        Described(Source.StartActivity($"invoke_agent {agent}", ActivityKind.Internal), runId, agent, model, endpoint, threadId);

    /// <summary>
    /// The span of a run taken up again after it waited (for approvals), on whichever instance: a child of the run's first
    /// span (<paramref name="runTraceParent"/>), so that the run stays one trace, linked to what took it up (a decision's
    /// request); Activity.Current while the run goes on.
    /// </summary>
    public static Activity? ContinueRun(string runId, string agent, string model, string endpoint, string? threadId, string? runTraceParent)
    {
        if (runTraceParent is null || !ActivityContext.TryParse(runTraceParent, null, out var run)) return StartRun(runId, agent, model, endpoint, threadId);
        ActivityLink[]? links = Activity.Current is { } cause ? [new ActivityLink(cause.Context)] : null;
        var activity = Described(Source.StartActivity($"invoke_agent {agent}", ActivityKind.Internal, run, links: links), runId, agent, model, endpoint, threadId);
        activity?.SetTag(Resumed, true);
        return activity;
    }

    public const string Resumed = "streamingapi.run.resumed";

    private static Activity? Described(Activity? activity, string runId, string agent, string model, string endpoint, string? threadId)
    {
        if (activity is not { IsAllDataRequested: true }) return activity;
        activity.SetTag("gen_ai.operation.name", "invoke_agent");
        activity.SetTag("gen_ai.agent.name", agent);
        activity.SetTag("gen_ai.request.model", model);
        if (threadId is not null) activity.SetTag("gen_ai.conversation.id", threadId);
        activity.SetTag(RunId, runId);
        activity.SetTag(Endpoint, endpoint);
        return activity;
    }

    /// <summary>
    /// Tool arguments and results may be recorded on the <c>execute_tool</c> spans below the current run span: the function
    /// invoker asks a surrounding <c>invoke_agent</c> span rather than the model's client (Microsoft.Extensions.AI reads
    /// this custom property, which its own agent spans set from their <c>EnableSensitiveData</c>).
    /// </summary>
    public static void RecordToolContent()
    {
        if (Activity.Current is { IsAllDataRequested: true } run && run.GetTagItem("gen_ai.operation.name") as string == "invoke_agent")
            run.SetCustomProperty("__EnableSensitiveData__", "true");
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
    /// The <c>execute_tool</c> span of the call with that id, when it is the current activity: the function invoker starts
    /// it around the invocation filters; null when spans are not recorded.
    /// </summary>
    public static Activity? ToolSpan(string callId) =>
        Activity.Current is { IsAllDataRequested: true } current && current.GetTagItem("gen_ai.tool.call.id") as string == callId ? current : null;

    /// <summary>The tool did not give a result: it failed, or it was not run (<paramref name="errorType"/> says which).</summary>
    public static void ToolFailed(Activity? span, string errorType, string description)
    {
        if (span is null) return;
        span.SetStatus(ActivityStatusCode.Error, description);
        span.SetTag("error.type", errorType);
    }

    /// <summary>The tool's token fired while it ran (the run was stopped, or only the tool's own token fired).</summary>
    public static void ToolCancelled(Activity? span) => span?.SetTag(ToolCancelledTag, true);

    public const string ToolCancelledTag = "streamingapi.tool.cancelled";

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
