using StreamingApi.Agents;

namespace StreamingApi.Runs.Memory;

/// <summary>
/// One wait of a run in this process: its checkpoint until it is claimed, and the decisions on its approvals, kept
/// after the claim (for as long as the run) so that a decision given again is answered as the one that stands.
/// </summary>
internal sealed class MemoryWaiting(RunCheckpoint checkpoint)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ApprovalDecision> _decisions = new(StringComparer.Ordinal);
    private bool _claimed;

    public RunCheckpoint Checkpoint { get; } = checkpoint;

    public bool Holds(string approvalId) => Checkpoint.Approvals.Any(a => a.ApprovalId == approvalId);

    public ApprovalDecisionResult Decide(ApprovalDecision decision, DateTimeOffset now)
    {
        var approvalId = decision.ApprovalId;
        if (Checkpoint.Approvals.FirstOrDefault(a => a.ApprovalId == approvalId) is not { } request) return new(ApprovalOutcome.Unknown, null);
        lock (_gate)
        {
            if (_decisions.TryGetValue(approvalId, out var standing))
                return ApprovalDecisionResult.Against(standing, decision);
            if (now >= request.ExpiresAt || _claimed) return new(ApprovalOutcome.Expired, new ApprovalDecision(approvalId, false, ApprovalReasons.TimedOut));
            _decisions[approvalId] = decision;
            return new(ApprovalOutcome.Recorded, decision);
        }
    }

    /// <summary>The answers recorded so far.</summary>
    public IReadOnlyList<ApprovalDecision> Decisions
    {
        get
        {
            lock (_gate) return [.. _decisions.Values];
        }
    }

    public ClaimedCheckpoint? Claim(string? stopping, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (_claimed) return null;
            var open = Checkpoint.Approvals.Where(a => !_decisions.ContainsKey(a.ApprovalId)).ToList();
            if (stopping is null && open.Any(a => now < a.ExpiresAt)) return null;
            foreach (var request in open) _decisions[request.ApprovalId] = new ApprovalDecision(request.ApprovalId, false, stopping ?? ApprovalReasons.TimedOut);
            _claimed = true;
            return new ClaimedCheckpoint(Checkpoint, [.. Checkpoint.Approvals.Select(a => _decisions[a.ApprovalId])]);
        }
    }

    /// <summary>
    /// Whether the run should be taken up now: its deadline has passed, or every approval is decided (normally the
    /// decision's own request takes it up; this catches one that could not, e.g. while its instance was draining).
    /// </summary>
    public bool IsDue(DateTimeOffset now)
    {
        lock (_gate) return !_claimed && (now >= Checkpoint.Deadline || Checkpoint.Approvals.All(a => _decisions.ContainsKey(a.ApprovalId)));
    }
}
