using Microsoft.AspNetCore.Diagnostics;
using StreamingApi.Runs;

namespace StreamingApi.Problems;

/// <summary>The run store is out of reach: 503 problem details with <c>Retry-After</c>, before any stream starts.</summary>
internal sealed class StoreUnavailableExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not RunStoreUnavailableException || httpContext.Response.HasStarted) return false;
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = "2";
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "The run store is unavailable",
                Detail = "Runs cannot be started or read while the run store is out of reach. Try again in a moment.",
                Type = RunErrors.StoreUnavailable,
            },
        });
    }
}
