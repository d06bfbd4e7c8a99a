using System.Threading.RateLimiting;

namespace StreamingApi.Limits;

/// <summary>
/// A granted admission: the token taken from the caller's bucket, and the slot reserved among its runs in progress.
/// The rate limiting middleware disposes it when the request has been through the rest of the pipeline (a stream's
/// last frame, a <c>202</c>, a <c>400</c> for a bad body, a client gone), which frees the slot unless the request's run
/// has taken it over by then (<see cref="AdmittedRuns"/>): a run starts within its request, and keeps its slot to its own end.
/// </summary>
public sealed class AdmissionLease(RateLimitLease bucket, IConcurrentRuns running, AdmittedRuns admitted, RunReservation reservation) : RateLimitLease
{
    private int _disposed;

    public override bool IsAcquired => true;

    public override IEnumerable<string> MetadataNames => bucket.MetadataNames;

    public override bool TryGetMetadata(string metadataName, out object? metadata) => bucket.TryGetMetadata(metadataName, out metadata);

    protected override void Dispose(bool disposing)
    {
        if (!disposing || Interlocked.Exchange(ref _disposed, 1) == 1) return;
        bucket.Dispose();
        if (!admitted.TryGiveBack(reservation.Id)) return; // its run holds it
        // Not awaited (Dispose is synchronous): in memory it is done already; in Redis a failure is logged and the slot expires.
        _ = running.ReleaseAsync(reservation.Key, reservation.Id).AsTask();
    }
}
