using System.Threading.RateLimiting;

namespace StreamingApi.Limits;

/// <summary>
/// A refused (or granted) admission, with what a 429 needs: which limit refused it (<see cref="Limit"/>), when to try
/// again (<see cref="MetadataName.RetryAfter"/>) and, for a quota, when it resets (<see cref="ResetsAt"/>).
/// </summary>
public sealed class LimitLease(bool acquired, string? limit = null, TimeSpan? retryAfter = null, DateTimeOffset? resetsAt = null) : RateLimitLease
{
    public static readonly MetadataName<string> Limit = MetadataName.Create<string>("limit");
    public static readonly MetadataName<DateTimeOffset> ResetsAt = MetadataName.Create<DateTimeOffset>("resets-at");

    public static readonly LimitLease Granted = new(true);

    /// <summary>The caller has as many runs in progress as it may.</summary>
    public static readonly LimitLease TooManyConcurrentRuns = new(false, LimitProblems.TooManyConcurrentRuns, TimeSpan.FromSeconds(1));

    /// <summary>The instance runs as many runs as it may.</summary>
    public static readonly LimitLease TooManyActiveRuns = new(false, LimitProblems.TooManyActiveRuns, TimeSpan.FromSeconds(1));

    /// <summary>The caller has started runs faster than its bucket allows: a token is back after <paramref name="retryAfter"/>.</summary>
    public static LimitLease RateLimited(TimeSpan retryAfter) => new(false, LimitProblems.RateLimited, retryAfter);

    /// <summary>The caller's runs have used today's tokens: the quota resets at the next UTC midnight after <paramref name="now"/>.</summary>
    public static LimitLease QuotaExceeded(DateTimeOffset now)
    {
        var resetsAt = new DateTimeOffset(now.UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
        return new LimitLease(false, LimitProblems.QuotaExceeded, resetsAt - now, resetsAt);
    }

    public override bool IsAcquired => acquired;

    public override IEnumerable<string> MetadataNames
    {
        get
        {
            if (limit is not null) yield return Limit.Name;
            if (retryAfter is not null) yield return MetadataName.RetryAfter.Name;
            if (resetsAt is not null) yield return ResetsAt.Name;
        }
    }

    public override bool TryGetMetadata(string metadataName, out object? metadata)
    {
        metadata = metadataName switch
        {
            _ when metadataName == Limit.Name => limit,
            _ when metadataName == MetadataName.RetryAfter.Name => retryAfter,
            _ when metadataName == ResetsAt.Name => resetsAt,
            _ => null,
        };
        return metadata is not null;
    }
}
