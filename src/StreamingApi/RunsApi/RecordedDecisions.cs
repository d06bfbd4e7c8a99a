using StreamingApi.Agents;
using StreamingApi.Runs;

namespace StreamingApi.RunsApi;

/// <summary>
/// A waiting run's answer as <c>GET /runs/{runId}</c> shows it: with the decisions recorded so far on its approvals. The
/// run's events tell a decision (<c>approval</c>) only once every request is answered and the run goes on; until then the
/// store holds it, and this read folds it into the approvals that the snapshot still shows undecided.
/// </summary>
internal static class RecordedDecisions
{
    /// <summary>The run's answer with its recorded decisions; as it is when the run does not wait or nothing was decided.</summary>
    public static async ValueTask<RunSnapshot?> OfAsync(IRunStore store, string runId, RunSnapshot? output, CancellationToken cancellationToken)
    {
        if (output is not { Status: RunStatus.Waiting } || !output.ToolCalls.Any(c => c.Approval is { Approved: null })) return output;
        var decisions = await store.DecisionsAsync(runId, cancellationToken).ConfigureAwait(false);
        if (decisions.Count == 0) return output;
        // Folded in by the snapshot's own rule for an approval's decision, as its event will be once the run goes on.
        var calls = output.ToolCalls.ToList();
        foreach (var decision in decisions)
            RunSnapshotBuilder.ApplyToolCall(calls, new ApprovalDecided(decision.ApprovalId, decision.Approved, decision.Reason));
        return output with { ToolCalls = calls };
    }
}
