using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.SemanticKernel;
using StreamingApi.Observability;

namespace StreamingApi.Agents;

/// <summary>
/// The one wrapper around every tool call of one run; Semantic Kernel's automatic function invocation calls it for
/// each. It owns what happens around a call, so the tools stay plain functions of their arguments and a cancellation
/// token: it takes the call from the run's <see cref="ToolBudget"/>, writes <c>tool-call</c> when the tool starts and
/// <c>tool-result</c> when it returns or fails, and records the moment a running tool's token fires after the run
/// was stopped. A tool that throws, or a call over budget, ends the model loop; <see cref="Failure"/> says why.
/// </summary>
/// <param name="runStopping">
/// The run's token. Every tool's token is linked from it; it is watched because Semantic Kernel (1.82) leaves
/// <see cref="AutoFunctionInvocationContext.CancellationToken"/> unset when it invokes functions for an
/// <c>IChatClient</c>. Where that token is set, it is watched instead.
/// </param>
internal sealed class ToolCallFilter(ChannelWriter<AgentEvent> events, RunContext run, ToolBudget budget, StreamingMetrics metrics,
    CancellationToken runStopping) : IAutoFunctionInvocationFilter
{
    private Exception? _failure;

    /// <summary>Why the model loop was ended early, or null. The first reason wins (tools of a turn run side by side).</summary>
    public Exception? Failure => Volatile.Read(ref _failure);

    public async Task OnAutoFunctionInvocationAsync(AutoFunctionInvocationContext context, Func<AutoFunctionInvocationContext, Task> next)
    {
        if (budget.Take(context.RequestSequenceIndex) is { } overBudget)
        {
            Fail(context, overBudget); // never started: no tool-call event
            return;
        }

        var callId = string.IsNullOrEmpty(context.ToolCallId) ? $"call_{Guid.NewGuid():N}" : context.ToolCallId;
        var name = context.Function.Name;
        var arguments = context.Arguments?.ToDictionary(a => a.Key, a => a.Value) ?? [];
        events.TryWrite(new ToolCallStarted(callId, name, arguments));

        var started = Stopwatch.GetTimestamp();
        string? error = null;
        var toolToken = context.CancellationToken.CanBeCanceled ? context.CancellationToken : runStopping;
        // Runs at once if the run was stopped before the tool started.
        using (toolToken.UnsafeRegister(_ => metrics.ToolCancelled(name, run.SinceStopRequested), null))
        {
            try
            {
                await next(context);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                error = "The tool failed."; // the tool's own message stays in the server log
                Fail(context, new AgentToolException(name, exception));
            }
        }
        var result = error is null ? context.Result.GetValue<object>() : null;
        events.TryWrite(new ToolCallCompleted(callId, name, result, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds) { Error = error });
    }

    private void Fail(AutoFunctionInvocationContext context, Exception reason)
    {
        Interlocked.CompareExchange(ref _failure, reason, null);
        context.Terminate = true;
    }
}
