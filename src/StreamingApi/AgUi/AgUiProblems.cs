using Microsoft.AspNetCore.Http.HttpResults;
using StreamingApi.Runs;

namespace StreamingApi.AgUi;

/// <summary>The RFC 9457 problem details of an AG-UI input that goes on with a run (<c>resume</c>, tool results) that has nothing to answer.</summary>
public static class AgUiProblems
{
    public static ProblemHttpResult NothingToResume(string threadId, string agent) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No run to resume",
            detail: $"Thread {Shorten(threadId)} has no run of the {agent} agent that could wait for these interrupts or tool results.",
            extensions: new Dictionary<string, object?> { ["threadId"] = threadId });

    public static ProblemHttpResult NotWaiting(string threadId, RunRecord run) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The run does not wait for the client",
            detail: $"Run {run.RunId} of thread {Shorten(threadId)} is {run.Status}: it has no interrupts or tool calls to answer.",
            extensions: new Dictionary<string, object?> { ["threadId"] = threadId, ["runId"] = run.RunId });

    private static string Shorten(string value) => value.Length <= 80 ? value : value[..80] + "…";
}
