using System.Threading.RateLimiting;

namespace StreamingApi.Limits;

/// <summary>
/// One caller's own limits, asked by <see cref="RunAdmission"/> in this order: its token quota, its runs in progress and
/// its token bucket. A run they admit has its slot reserved among the caller's runs in progress (by the id
/// <see cref="AdmitAsync"/> is given) and a token taken; a run refused for any reason costs no token and leaves no reservation.
/// </summary>
public interface ICallerLimits : IDisposable
{
    /// <summary>Idle since it was last asked: the partition's limiter may go once it has been idle a while.</summary>
    TimeSpan? IdleDuration { get; }

    /// <summary>A granted lease, or a refused <see cref="LimitLease"/> that says which limit refused and when to try again.</summary>
    ValueTask<RateLimitLease> AdmitAsync(string reservation, CancellationToken cancellationToken);
}
