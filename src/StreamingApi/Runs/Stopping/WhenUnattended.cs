namespace StreamingApi.Runs;

/// <summary>What happens to a run when its last reader leaves (see <see cref="DetachGrace"/>).</summary>
public enum WhenUnattended
{
    /// <summary>It goes on (a background run, started with <c>POST /runs</c>).</summary>
    KeepRunning,

    /// <summary>It goes on for <c>Runs:DetachGraceSeconds</c>, for the client to come back (a stream's run).</summary>
    StopAfterGrace,

    /// <summary>It stops at once (a blocking request, which cannot come back).</summary>
    StopAtOnce,
}
