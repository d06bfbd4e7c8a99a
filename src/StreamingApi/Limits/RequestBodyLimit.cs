using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace StreamingApi.Limits;

/// <summary>
/// <c>Limits:MaxBodyBytes</c> on every request: one that says it is larger gets a 413 problem details at once; one
/// sent without a length is held to it by Kestrel as it is read (the read fails with a 413, which the bad-request
/// handler answers).
/// </summary>
public sealed class RequestBodyLimit(RequestDelegate next, IOptions<LimitOptions> options, IProblemDetailsService problems)
{
    /// <summary>Not async: a request let through is its own task, so a held stream keeps no frame of this middleware.</summary>
    public Task InvokeAsync(HttpContext http)
    {
        var max = options.Value.MaxBodyBytes;
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = max;
        return http.Request.ContentLength > max ? RefuseAsync(http, max) : next(http);
    }

    private async Task RefuseAsync(HttpContext http, long max)
    {
        http.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails =
            {
                Status = StatusCodes.Status413PayloadTooLarge,
                Type = "body-too-large",
                Title = "The request body is too large",
                Detail = $"A request body may be at most {max} bytes (Limits:MaxBodyBytes); this one has {http.Request.ContentLength}.",
            },
        });
    }
}
