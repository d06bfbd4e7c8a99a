using System.Text.Json.Serialization;
using StreamingApi.Agents;

namespace StreamingApi.Runs;

/// <summary>What is known about a run, running or finished: the body of <c>GET /runs/{runId}</c>.</summary>
/// <param name="LastSequence">The sequence number of the run's latest event (0 before the first).</param>
public sealed record RunRecord(string RunId, string Agent, string Endpoint, string Model, string Status, string? Reason,
    DateTimeOffset StartedAt, DateTimeOffset? EndedAt, long LastSequence)
{
    /// <summary>
    /// The conversation the run answers, when a client named one (a chat's id, an AG-UI thread): the run store
    /// finds a thread's latest run by it (<see cref="IRunStore.FindLatestAsync"/>). Left out when there is none.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ThreadId { get; init; }

    /// <summary>
    /// The run's answer so far (<c>GET /runs/{runId}</c>): its text, reasoning, tool calls, results and, once it has
    /// ended, its status, usage and error. Left out where a record is not asked for its answer.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public RunSnapshot? Output { get; init; }

    [JsonIgnore]
    public bool IsRunning => Status == RunStatus.Running;
}

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
