using Microsoft.AspNetCore.Diagnostics;

namespace StreamingApi.Problems;

/// <summary>
/// Input that cannot be bound (malformed JSON, "abc" for a number) becomes a 400 problem details that says which
/// parameter was wrong, before any stream starts. The binder's messages name the parameter, never internals.
/// </summary>
internal sealed class BadRequestExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException badRequest) return false;
        httpContext.Response.StatusCode = badRequest.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = { Status = badRequest.StatusCode, Title = "The request is not valid.", Detail = badRequest.Message },
        });
    }
}
