namespace StreamingApi.Runs;

/// <summary>How runs live and keep their events (section <c>Runs</c>).</summary>
public sealed class RunOptions
{
    public const string MemoryStore = "memory";
    public const string RedisStore = "redis";

    /// <summary>Where runs keep their events: <c>memory</c> (this process) or <c>redis</c> (shared by several instances).</summary>
    public string Store { get; set; } = MemoryStore;

    /// <summary>
    /// How many events a run keeps behind its slowest reader (or, with no reader, its latest events), for a client
    /// that comes back after the events it last saw: the frames in flight when its connection broke. (A client that
    /// leaves cleanly needs none of it: its place is held for the detach grace.) Each held event costs memory for as
    /// long as the run lives, for every run, beside the run's snapshot. A reader that comes back for events older than
    /// that starts from the snapshot instead and misses nothing, so the window is kept small: it saves a returning
    /// reader a snapshot, it is not what makes its answer whole.
    /// </summary>
    public int ReplayWindow { get; set; } = 64;

    /// <summary>A run waits (reads its model no further) while a reader has this many events still to take.</summary>
    public int MaxBacklogEvents { get; set; } = 4096;

    /// <summary>
    /// A streamed run (<c>/stream/*</c>, <c>/api/chat</c>, AG-UI) goes on this long after its last reader left, then is
    /// cancelled (<see cref="WhenUnattended.StopAfterGrace"/>). A run started with <c>POST /runs</c> goes on regardless;
    /// a blocking request's run (<c>/agent/text</c>) stops at once.
    /// </summary>
    public double DetachGraceSeconds { get; set; } = 10;

    /// <summary>How long a finished run stays readable.</summary>
    public double RetentionSeconds { get; set; } = 300;

    /// <summary>Every run ends after this long, whatever it asked for (<c>done</c> reason <c>time-limit</c>).</summary>
    public double MaxRunSeconds { get; set; } = 900;

    /// <summary>
    /// How long a tool call waits for a person's decision (<c>POST /runs/{runId}/approvals/{approvalId}</c>); none by
    /// then counts as denied, reason <c>timeout</c>. The run waits as a checkpoint in the store meanwhile, costing no task.
    /// </summary>
    public double ApprovalTimeoutSeconds { get; set; } = 600;

    /// <summary>
    /// On shutdown, running runs get this long to finish before they are stopped. <c>Streaming:DrainSeconds</c>, its
    /// name before, is still read and, when set, wins: a deployment that set it keeps its value.
    /// </summary>
    public double DrainSeconds { get; set; } = 20;
}
