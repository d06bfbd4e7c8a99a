namespace StreamingApi.Agents;

/// <summary>The values of <see cref="RunDone.Status"/> (and <see cref="Running"/>, a run's status before its end).</summary>
public static class RunStatus
{
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Cancelled = "cancelled";
    public const string Failed = "failed";
}
