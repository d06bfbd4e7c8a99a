namespace StreamingApi.Runs;

/// <summary>Why a run was stopped before it finished: the <c>reason</c> of its <c>done</c> event.</summary>
public static class StopReasons
{
    /// <summary>Its readers left (and did not come back within the grace period).</summary>
    public const string ClientDisconnected = "client-disconnected";

    /// <summary><c>POST /runs/{runId}/cancel</c>.</summary>
    public const string Stopped = "stopped";

    /// <summary>The request's <c>maxSeconds</c>, or the server's <c>Runs:MaxRunSeconds</c>.</summary>
    public const string TimeLimit = "time-limit";

    /// <summary>The server shut down and the run did not finish within the drain period.</summary>
    public const string ServerStopping = "server-stopping";

    /// <summary>The run store failed under the run (it then ends as failed, not cancelled).</summary>
    internal const string StoreFailed = "store-failed";
}
