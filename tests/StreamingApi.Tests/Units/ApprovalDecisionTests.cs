using StreamingApi.Agents;
using StreamingApi.Runs;
using StreamingApi.Runs.Memory;

namespace StreamingApi.Tests.Units;

/// <summary>The rules of decisions on a waiting run, as the memory store keeps them (the Redis scripts follow the same).</summary>
public sealed class ApprovalDecisionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    private static MemoryWaiting Waiting(params string[] approvalIds) => new(new RunCheckpoint(
        new RunRecord("r", "analyst", "runs", "m", RunStatus.Waiting, null, Now, null, 10), "prompt", new AgentCheckpoint("[]"),
        [.. approvalIds.Select(id => new ApprovalRequested(id, $"call-{id}", "send_report", new Dictionary<string, object?>(), Now.AddMinutes(10)))],
        new RunStatsSnapshot(0, 0, 1, null, 0, null, 100, null), 900, null));

    [Fact]
    public void TheFirstDecisionStandsTheSameAgainIsSameAndAnotherIsAConflict()
    {
        var waiting = Waiting("a");

        Assert.Equal(ApprovalOutcome.Recorded, waiting.Decide(new ApprovalDecision("a", true, "ok"), Now).Outcome);
        Assert.Equal(ApprovalOutcome.Same, waiting.Decide(new ApprovalDecision("a", true, null), Now).Outcome);
        var conflict = waiting.Decide(new ApprovalDecision("a", false, null), Now);
        Assert.Equal((ApprovalOutcome.Conflict, true, "ok"), (conflict.Outcome, conflict.Decision!.Approved, conflict.Decision.Reason));
        Assert.Equal(ApprovalOutcome.Unknown, waiting.Decide(new ApprovalDecision("b", true, null), Now).Outcome);
    }

    [Fact]
    public void ARunIsClaimedOnceAndOnlyWhenEveryApprovalIsDecidedOrExpired()
    {
        var waiting = Waiting("a", "b");
        waiting.Decide(new ApprovalDecision("a", true, null), Now);

        Assert.Null(waiting.Claim(null, Now));
        Assert.False(waiting.IsDue(Now));
        waiting.Decide(new ApprovalDecision("b", false, "no"), Now);
        Assert.True(waiting.IsDue(Now));
        var claimed = waiting.Claim(null, Now);
        Assert.Equal([(true, null), (false, "no")], claimed!.Decisions.Select(d => (d.Approved, d.Reason)));
        Assert.Null(waiting.Claim(null, Now));
        Assert.Null(waiting.Claim("stopped", Now));
    }

    [Fact]
    public void PastItsDeadlineAnUndecidedApprovalIsDeniedForTimeoutAndALateDecisionIsExpired()
    {
        var waiting = Waiting("a");
        var late = Now.AddMinutes(11);

        Assert.Equal(ApprovalOutcome.Expired, waiting.Decide(new ApprovalDecision("a", true, null), late).Outcome);
        Assert.True(waiting.IsDue(late));
        Assert.Equal((false, "timeout"), waiting.Claim(null, late)!.Decisions.Select(d => (d.Approved, d.Reason)).Single());
        Assert.Equal(ApprovalOutcome.Expired, waiting.Decide(new ApprovalDecision("a", false, null), late).Outcome);
    }

    [Fact]
    public void AStopTakesTheRunAtOnceWithItsOpenApprovalsDenied()
    {
        var waiting = Waiting("a");

        Assert.Equal((false, "stopped"), waiting.Claim("stopped", Now)!.Decisions.Select(d => (d.Approved, d.Reason)).Single());
        Assert.Equal(ApprovalOutcome.Conflict, waiting.Decide(new ApprovalDecision("a", true, null), Now).Outcome);
    }

    [Fact]
    public void AClientsResultIsTheSameOnlyWithTheSameOutput()
    {
        var waiting = Waiting("a");

        Assert.Equal(ApprovalOutcome.Recorded, waiting.Decide(new ApprovalDecision("a", true, null) { Output = "{\"t\":1}" }, Now).Outcome);
        Assert.Equal(ApprovalOutcome.Same, waiting.Decide(new ApprovalDecision("a", true, null) { Output = "{\"t\":1}" }, Now).Outcome);
        var other = waiting.Decide(new ApprovalDecision("a", true, null) { Output = "{\"t\":2}" }, Now);
        Assert.Equal((ApprovalOutcome.Conflict, "{\"t\":1}"), (other.Outcome, other.Decision!.Output));
        Assert.Equal("{\"t\":1}", waiting.Claim(null, Now)!.Decisions.Single().Output);
    }
}
