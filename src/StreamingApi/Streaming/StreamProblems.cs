using Microsoft.AspNetCore.Http.HttpResults;

namespace StreamingApi.Streaming;

/// <summary>The RFC 9457 problem details of runs and streams, answered before any stream starts.</summary>
public static class StreamProblems
{
    public static ProblemHttpResult RunNotFound(string runId) =>
        Problem(StatusCodes.Status404NotFound, "The run was not found",
            $"No run {runId} is known here: it never existed, or it finished longer ago than runs are kept.", runId);

    public static ProblemHttpResult AgentNotFound(string agent, IEnumerable<string> agents) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "The agent was not found",
            detail: $"There is no agent '{Shorten(agent)}'; the agents are {string.Join(", ", agents)}.");

    /// <summary>A 400 validation problem, as the validation of a request's parameters gives it, for one parameter.</summary>
    public static ProblemHttpResult Invalid(string parameter, string message) =>
        TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]> { [parameter] = [message] })
        {
            Status = StatusCodes.Status400BadRequest,
        });

    public static ProblemHttpResult BadLastEventId(string value) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The Last-Event-ID header is not valid",
            detail: $"Last-Event-ID must be {LastEventId.Format}; it was '{Shorten(value)}'.");

    public static ProblemHttpResult OtherRun(string runId, LastEventId id) =>
        Problem(StatusCodes.Status400BadRequest, "The Last-Event-ID header names another run",
            $"The request is for run {runId}, but Last-Event-ID names run {id.RunId}.", runId);

    /// <summary>503 with <c>Retry-After</c>: the server is shutting down and starts no new run.</summary>
    public static ProblemHttpResult ShuttingDown(HttpContext http)
    {
        http.Response.Headers.RetryAfter = "1";
        return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The server is shutting down",
            detail: "The server is finishing the runs it has and starts no new one. Try again in a moment.");
    }

    private static ProblemHttpResult Problem(int status, string title, string detail, string runId) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail, extensions: new Dictionary<string, object?> { ["runId"] = runId });

    private static string Shorten(string value) => value.Length <= 80 ? value : value[..80] + "…";
}
