using StreamingApi.Agents;

namespace StreamingApi.Runs;

/// <summary>Turns an exception that ended a run into the <c>error</c> event a client may see: nothing internal leaks.</summary>
public static class RunErrors
{
    public const string StoreUnavailable = "store-unavailable";
    public const string InstanceLost = "instance-lost";

    /// <summary>What readers are told of a run whose instance stopped answering (its lease expired), failed by another instance.</summary>
    public static RunError InstanceLostError() => new(InstanceLost, "The instance that ran it is gone", StatusCodes.Status502BadGateway,
        "The instance that ran it stopped answering; the run was stopped.");

    public static RunError From(Exception exception, string runId) => exception switch
    {
        AgentToolException tool => new RunError("tool-failed", "A tool failed", StatusCodes.Status502BadGateway,
            $"The tool '{tool.ToolName}' failed, so the run was stopped."),
        AgentToolLimitException limit => new RunError("tool-limit", "The run reached its tool limit", StatusCodes.Status502BadGateway,
            $"The model was still calling tools after {limit.Limit} {limit.Unit}, the limit set by {limit.Setting}, so the run was stopped."),
        AgentOutputException output => new RunError("invalid-output", "The structured result is invalid", StatusCodes.Status502BadGateway,
            string.Join(" ", output.Errors)),
        ModelCallException model => new RunError("model-error", model.Title, model.Status, model.Message),
        RunFailedElsewhereException elsewhere => elsewhere.Error,
        RunStoreUnavailableException => new RunError(StoreUnavailable, "The run store is unavailable", StatusCodes.Status503ServiceUnavailable,
            "The run's events could not be kept (the run store is out of reach), so the run was stopped."),
        _ => new RunError("internal-error", "The run failed", StatusCodes.Status500InternalServerError,
            $"An unexpected error ended the run; the server log has the details under run id {runId}."),
    };
}
