using StreamingApi.Limits;

namespace StreamingApi.Streaming;

public static class RunStartingEndpoints
{
    /// <summary>
    /// The endpoint starts runs, whichever protocol it speaks: its bad input is a 400 validation problem, a server that
    /// drains or a run store out of reach a 503, and it is held to the caller's limits and quota (429), except a request
    /// for which <paramref name="exceptWhen"/> says it starts none.
    /// </summary>
    public static RouteHandlerBuilder StartsRuns(this RouteHandlerBuilder endpoint, Func<HttpContext, bool>? exceptWhen = null) =>
        endpoint.ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .RequireRunLimits(exceptWhen);
}
