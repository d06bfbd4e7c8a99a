namespace StreamingApi.Runs;

/// <summary>
/// Why a run was stopped before it finished: the <c>reason</c> of its <c>done</c> event. Every stop goes through
/// <see cref="ActiveRun.Stop"/> (the first reason wins); this folder holds the policies that decide to stop.
/// </summary>
public static class StopReasons
{
    /// <summary>Its readers left and did not come back within the grace period (<see cref="DetachGrace"/>).</summary>
    public const string ClientDisconnected = "client-disconnected";

    /// <summary><c>POST /runs/{runId}/cancel</c> (<see cref="RunHost.CancelAsync"/>, through the store when another instance runs it).</summary>
    public const string Stopped = "stopped";

    /// <summary>The request's <c>maxSeconds</c>, or the server's <c>Runs:MaxRunSeconds</c> (the timer of <see cref="ActiveRun"/>).</summary>
    public const string TimeLimit = "time-limit";

    /// <summary>The server shut down and the run did not finish within the drain period (<see cref="GracefulShutdown"/>).</summary>
    public const string ServerStopping = "server-stopping";

    /// <summary>The run store failed under the run; it then ends as failed, not cancelled (<see cref="ActiveRun.StoreFailed"/>).</summary>
    internal const string StoreFailed = "store-failed";
}
