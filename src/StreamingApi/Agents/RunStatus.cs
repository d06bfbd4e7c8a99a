namespace StreamingApi.Agents;

/// <summary>The values of <see cref="RunDone.Status"/> (and <see cref="Running"/>, a run's status before its end).</summary>
public static class RunStatus
{
    public const string Running = "running";

    /// <summary>
    /// The run waits for decisions on its tool calls: it is a checkpoint in the run store, not a task; a decision (or
    /// the approval timeout) continues it, on whichever instance it arrives.
    /// </summary>
    public const string Waiting = "waiting";
    public const string Completed = "completed";
    public const string Cancelled = "cancelled";
    public const string Failed = "failed";
}
