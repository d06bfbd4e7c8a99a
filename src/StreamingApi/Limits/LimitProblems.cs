using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace StreamingApi.Limits;

/// <summary>The 429 problem details of a refused run, one <c>type</c> per limit, with <c>Retry-After</c>.</summary>
public static class LimitProblems
{
    public const string RateLimited = "rate-limited";
    public const string TooManyConcurrentRuns = "too-many-concurrent-runs";
    public const string TooManyActiveRuns = "too-many-active-runs";
    public const string QuotaExceeded = "quota-exceeded";

    /// <summary>The rate limiter's <c>OnRejected</c>: the lease says which limit refused the run.</summary>
    public static async ValueTask WriteAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var http = context.HttpContext;
        var lease = context.Lease;
        var limit = lease.TryGetMetadata(LimitLease.Limit, out var name) ? name! : RateLimited;
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        http.Response.Headers.RetryAfter = ((long)Math.Max(1, Math.Ceiling(retryAfter.TotalSeconds))).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var (title, detail) = limit switch
        {
            TooManyConcurrentRuns => ("Too many runs in progress", "You have as many runs in progress as you may; start another when one has ended."),
            TooManyActiveRuns => ("The server is running as many runs as it may", "This instance is at its limit of runs; try again in a moment."),
            QuotaExceeded => ("The token quota is spent", "Your runs have used today's tokens; new runs may start when the quota resets (resetsAt)."),
            _ => ("Too many runs started", "You have started runs faster than you may; try again after Retry-After seconds."),
        };
        var problem = new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = StatusCodes.Status429TooManyRequests, Type = limit, Title = title, Detail = detail };
        if (lease.TryGetMetadata(LimitLease.ResetsAt, out var resetsAt)) problem.Extensions["resetsAt"] = resetsAt;
        var problems = http.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem });
    }
}
