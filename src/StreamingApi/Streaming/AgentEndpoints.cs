using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using StreamingApi.Agents;
using StreamingApi.Runs;
using StreamingApi.Security;

namespace StreamingApi.Streaming;

/// <summary>The "blocking" way, for comparison: the same agent, one JSON response when it is done.</summary>
public static class AgentEndpoints
{
    public static RouteGroupBuilder MapAgentApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/agent").WithTags("Blocking").RequireRunAccess();
        group.MapPost("/text", RunTextAsync)
            .WithName("AgentText")
            .WithSummary("Runs the text agent and answers once, when it is done (not streamed).")
            .StartsRuns();
        return group;
    }

    private static async Task<Results<Ok<AgentTextResponse>, ProblemHttpResult>> RunTextAsync(
        StreamRequest request, AgentCatalog agents, EventStreams streams, HttpContext http)
    {
        var plan = new RunPlan("agent-text", agents.Writer, new AgentRequest(request.Prompt!))
        {
            TimeLimit = request.TimeLimit,
            WhenUnattended = WhenUnattended.StopAtOnce, // a blocking request cannot come back for the rest
        };
        if (await streams.StartForCallerAsync(http, plan, withReader: true) is not { Reader: { } reader } started)
            return StreamProblems.ShuttingDown(http);
        await using var _ = reader;
        var text = new StringBuilder();
        string model = agents.Writer.Model;
        RunError? error = null;
        RunDone? done = null;
        await foreach (var entry in reader.ReadAllAsync(http.RequestAborted))
        {
            switch (entry.ToEvent())
            {
                case RunStarted first: model = first.Model; break;
                case TextDelta delta: text.Append(delta.Delta); break;
                case RunError failure: error = failure; break;
                case RunDone end: done = end; break;
            }
        }

        if (error is not null)
            return TypedResults.Problem(error.Detail, statusCode: error.Status, title: error.Title, type: error.Type,
                extensions: new Dictionary<string, object?> { ["runId"] = started.Record.RunId });
        return TypedResults.Ok(new AgentTextResponse(started.Record.RunId, model, text.ToString(), done!.Status, done.Reason, done.Chunks, done.Chars,
            done.ElapsedMs, done.Usage));
    }
}
