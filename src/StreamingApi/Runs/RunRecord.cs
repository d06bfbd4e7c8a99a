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
    /// The name of the principal that started the run, when authentication is on: only that principal may read, resume
    /// or cancel it. A plain string here; the endpoints compare it with the request's principal. Left out when there is none.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Principal { get; init; }

    /// <summary>
    /// The run's span as a W3C <c>traceparent</c>, when it is traced: a reader that resumes the run, on any instance,
    /// links its own span to it. Left out when there is none.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TraceParent { get; init; }

    /// <summary>
    /// The run's answer so far (<c>GET /runs/{runId}</c>): its text, reasoning, tool calls, results and, once it has
    /// ended, its status, usage and error. Left out where a record is not asked for its answer.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public RunSnapshot? Output { get; init; }

    [JsonIgnore]
    public bool IsRunning => Status == RunStatus.Running;

    /// <summary>Whether the run has not ended: it runs, or waits for approvals.</summary>
    [JsonIgnore]
    public bool IsLive => Status is RunStatus.Running or RunStatus.Waiting;
}
