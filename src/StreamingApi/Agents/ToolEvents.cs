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

    private readonly Dictionary<string, string> _toolNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _callNames = new(StringComparer.Ordinal); // a result carries no name
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
            if (tool is KernelFunction function) _toolNames[tool.Name] = function.Name;
        }
    }

    /// <summary>The event of a function call or result, or null for any other content.</summary>
    public AgentEvent? ToEvent(AIContent content)
    {
        switch (content)
        {
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
