using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.SemanticKernel;

namespace StreamingApi.Agents;

/// <summary>
/// Watches Semantic Kernel's automatic function calls for one run: writes <c>tool-call</c> when a tool starts and
/// <c>tool-result</c> when it returns. A tool that throws ends the model loop, and the run reports the failure.
/// </summary>
internal sealed class ToolEventFilter(ChannelWriter<AgentEvent> events) : IAutoFunctionInvocationFilter
{
    public AgentToolException? Failure { get; private set; }

    public async Task OnAutoFunctionInvocationAsync(AutoFunctionInvocationContext context, Func<AutoFunctionInvocationContext, Task> next)
    {
        var callId = string.IsNullOrEmpty(context.ToolCallId) ? $"call_{Guid.NewGuid():N}" : context.ToolCallId;
        var name = context.Function.Name;
        var arguments = context.Arguments?.ToDictionary(a => a.Key, a => a.Value) ?? [];
        events.TryWrite(new ToolCallStarted(callId, name, arguments));

        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            events.TryWrite(new ToolCallCompleted(callId, name, null, ElapsedMs(started)) { Error = "The tool failed." });
            Failure = new AgentToolException(name, exception);
            context.Terminate = true;
            return;
        }
        events.TryWrite(new ToolCallCompleted(callId, name, context.Result.GetValue<object>(), ElapsedMs(started)));
    }

    private static long ElapsedMs(long started) => (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
}
