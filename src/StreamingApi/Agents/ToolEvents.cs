using Microsoft.Extensions.AI;
using KernelFunction = Microsoft.SemanticKernel.KernelFunction;

namespace StreamingApi.Agents;

/// <summary>
/// One run's <c>tool-call</c> and <c>tool-result</c> events, mapped from the contents the function invocation layer
/// streams: the <see cref="FunctionCallContent"/> of each call, yielded when the model's turn has ended and before
/// the turn's tools are invoked, and the <see cref="FunctionResultContent"/> of each, yielded together once every
/// call of the turn has returned. What the stream does not carry (how long the tool ran, and whether it failed or
/// was refused) comes from the run's <see cref="ToolCallFilter"/>.
/// </summary>
internal sealed class ToolEvents
{
    /// <summary>The <c>error</c> of a call to a tool the agent does not have: the model goes on without it.</summary>
    public const string UnknownTool = "The tool was not run: the agent has no tool of that name.";

    /// <summary>The <c>error</c> of a call whose approval was denied (or timed out): the tool never ran.</summary>
    public const string Denied = "denied";

    private readonly Dictionary<string, string> _toolNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _callNames = new(StringComparer.Ordinal); // a result carries no name
    private readonly HashSet<string> _announced = new(StringComparer.Ordinal); // calls announced before the run waited
    private readonly HashSet<string> _denied = new(StringComparer.Ordinal);
    private readonly ToolCallFilter _filter;

    /// <param name="filter">The run's filter, on the kernel whose functions are <paramref name="tools"/>.</param>
    /// <param name="tools">The tools offered to the model.</param>
    public ToolEvents(ToolCallFilter filter, IEnumerable<AITool>? tools)
    {
        _filter = filter;
        // The model calls a Semantic Kernel function by its plugin-qualified name (analytics_fetch_sales_data); events
        // name the tool itself (fetch_sales_data), as the filter's context does.
        foreach (var tool in tools ?? [])
        {
            if (tool.GetService<KernelFunction>() is { } function) _toolNames[tool.Name] = function.Name; // also behind ApprovalRequiredAIFunction
        }
    }

    /// <summary>
    /// The events of a call the invocation layer asks approval for: the call (<c>tool-call</c>), then its request
    /// (<c>approval-request</c>, its <see cref="ApprovalRequested.ExpiresAt"/> left for the run host to set). A call that
    /// needs no confirmation (another call of the same turn) is announced alone; it runs when the run goes on.
    /// </summary>
    public IEnumerable<AgentEvent> ToEvents(ToolApprovalRequestContent request)
    {
        if (request.ToolCall is not FunctionCallContent call || ToEvent(call) is not ToolCallStarted started) yield break;
        yield return started;
        if (request.RequiresConfirmation) yield return new ApprovalRequested(request.RequestId, call.CallId, started.Name, started.Arguments, default);
    }

    /// <summary>
    /// A call announced before the run waited, going on now: it is not announced again, and a denied one's result says
    /// so (the invocation layer gives the model a rejection text in its place).
    /// </summary>
    public void Resumed(ToolApprovalRequestContent request, bool approved)
    {
        if (request.ToolCall is not FunctionCallContent call) return;
        _callNames[call.CallId] = _toolNames.GetValueOrDefault(call.Name, call.Name);
        _announced.Add(call.CallId);
        if (!approved) _denied.Add(call.CallId);
    }

    /// <summary>The event of a function call or result, or null for any other content.</summary>
    public AgentEvent? ToEvent(AIContent content)
    {
        switch (content)
        {
            case FunctionCallContent call when _announced.Remove(call.CallId):
                return null;
            case FunctionResultContent result when _denied.Remove(result.CallId):
                _callNames.Remove(result.CallId, out var refused);
                return new ToolCallCompleted(result.CallId, refused ?? "", null, 0) { Error = Denied };
            case FunctionCallContent call:
                var name = _toolNames.GetValueOrDefault(call.Name, call.Name);
                _callNames[call.CallId] = name;
                // A copy: the event is serialized later, and the invoker hands the arguments on to the tool.
                return new ToolCallStarted(call.CallId, name, call.Arguments is { } arguments ? new Dictionary<string, object?>(arguments) : []);
            case FunctionResultContent result:
                _callNames.Remove(result.CallId, out var called);
                var outcome = _filter.TakeOutcome(result.CallId) ?? new ToolOutcome(0, UnknownTool);
                // A call that failed or never ran has no result: the invoker's stand-in text ("Error: …", "Success: …") is for the model only.
                var error = outcome.Error ?? (result.Exception is null ? null : ToolCallFilter.ToolFailed);
                return new ToolCallCompleted(result.CallId, called ?? "", error is null ? result.Result : null, outcome.ElapsedMs) { Error = error };
            default:
                return null;
        }
    }
}
