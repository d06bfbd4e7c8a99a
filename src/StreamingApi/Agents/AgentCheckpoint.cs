namespace StreamingApi.Agents;

/// <summary>
/// Where an agent stopped to wait for approvals: the conversation with the model so far (its messages, tool calls,
/// results and the approval requests themselves, as Microsoft.Extensions.AI's JSON), enough to go on from without the
/// model call or the task that made it.
/// </summary>
/// <param name="Conversation">The <c>ChatMessage</c>s so far, serialized with <c>AIJsonUtilities.DefaultOptions</c>.</param>
public sealed record AgentCheckpoint(string Conversation)
{
    /// <summary>The client's tools the run was offered (<see cref="AgentRequest.ClientTools"/>): the model is offered them again as it goes on.</summary>
    public IReadOnlyList<ClientTool> ClientTools { get; init; } = [];
}

/// <summary>A decision on one approval request, for the agent that goes on from its checkpoint.</summary>
/// <param name="ApprovalId">The request's id (its <see cref="ApprovalRequested.ApprovalId"/>).</param>
public sealed record ApprovalDecision(string ApprovalId, bool Approved, string? Reason)
{
    /// <summary>
    /// For a call of a client's tool (its id a <see cref="ClientTool.WaitId"/>), what the tool returned, as JSON text:
    /// the client's answer. Null for an approval, and for a client call that got no result (denied: timed out, stopped).
    /// </summary>
    public string? Output { get; init; }
}

/// <summary>What an agent needs to go on from a checkpoint: the checkpoint, and a decision for each of its requests.</summary>
public sealed record AgentResume(AgentCheckpoint Checkpoint, IReadOnlyList<ApprovalDecision> Decisions);
