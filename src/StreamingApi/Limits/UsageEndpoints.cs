using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace StreamingApi.Limits;

/// <summary><c>GET /usage</c>: the caller's own tokens today and runs in progress, and the limits it is held to.</summary>
public static class UsageEndpoints
{
    public static RouteHandlerBuilder MapUsage(this IEndpointRouteBuilder routes) =>
        routes.MapGet("/usage", GetAsync)
            .WithTags("Limits")
            .WithName("GetUsage")
            .WithSummary("The caller's tokens today (UTC) and runs in progress, and its limits: runs per minute, concurrent runs, tokens per day.");

    private static async Task<Ok<Usage>> GetAsync(HttpContext http, IConcurrentRuns running, ITokenQuotas quotas, IOptions<RateLimitOptions> limits,
        IOptions<QuotaOptions> quota, TimeProvider time, CancellationToken cancellationToken)
    {
        var key = LimitKeys.Of(http);
        var now = time.GetUtcNow();
        var used = await quotas.UsedTodayAsync(key, cancellationToken);
        var perDay = quota.Value.TokensPerDay;
        return TypedResults.Ok(new Usage(key, DateOnly.FromDateTime(now.UtcDateTime), used, perDay > 0 ? perDay : null,
            perDay > 0 ? Math.Max(0, perDay - used) : null, new DateTimeOffset(now.UtcDateTime.Date.AddDays(1), TimeSpan.Zero),
            await running.CountAsync(key, cancellationToken), limits.Value.ConcurrentRuns, limits.Value.RunsPerMinute));
    }

    /// <param name="Caller">Who the usage is counted for: <c>principal:&lt;name&gt;</c>, or <c>address:&lt;ip&gt;</c> without authentication.</param>
    /// <param name="TokensPerDay">The daily quota; null when unlimited.</param>
    /// <param name="TokensLeft">What is left of it today; null when unlimited.</param>
    public sealed record Usage(string Caller, DateOnly Day, long TokensToday, long? TokensPerDay, long? TokensLeft, DateTimeOffset ResetsAt,
        int RunsInProgress, int ConcurrentRuns, int RunsPerMinute);
}
