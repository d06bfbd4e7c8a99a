using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.SemanticKernel;
using StreamingApi.Observability;

namespace StreamingApi.Agents;

/// <summary>
/// The one wrapper around every tool call of one run; Semantic Kernel's automatic function invocation calls it for
/// each. It owns what happens around a call, so the tools stay plain functions of their arguments and a cancellation
/// token: it takes the call from the run's <see cref="ToolBudget"/>, times the tool, keeps a failing tool's message
/// out of the stream, and records the moment a running tool's token fires after the run was stopped. A tool that
/// throws, or a call over budget, ends the model loop; <see cref="Failure"/> says why.
/// </summary>
/// <remarks>
/// It writes no events: the <c>tool-call</c> and <c>tool-result</c> events are mapped by <see cref="ChatAgent"/> from
/// the function call and result contents in the model's update stream. What only the filter knows about a call (how
/// long the tool ran, whether it failed or was refused) it leaves in <see cref="TakeOutcome"/>, by call id, for that
/// mapping.
/// </remarks>
/// <param name="runStopping">
/// The run's token. Every tool's token is linked from it; it is watched because Semantic Kernel (1.82) leaves
/// <see cref="AutoFunctionInvocationContext.CancellationToken"/> unset when it invokes functions for an
/// <c>IChatClient</c>. Where that token is set, it is watched instead.
/// </param>
/// <param name="requiresApproval">
/// Which tools need approval. Their calls reach this filter only once approved (the invoker asks instead of invoking),
/// except when a run goes on from a checkpoint, where they are offered unwrapped: then only the calls given to
/// <see cref="Approve"/> run, and any other call of them is refused.
/// </param>
internal sealed class ToolCallFilter(RunContext run, ToolBudget budget, StreamingMetrics metrics, CancellationToken runStopping,
    Func<string, bool>? requiresApproval = null)
    : IAutoFunctionInvocationFilter
{
    /// <summary>The <c>error</c> of a tool that threw; the tool's own message stays in the server log.</summary>
    public const string ToolFailed = "The tool failed.";

    /// <summary>The <c>error</c> of a call the run's budget refused: the tool never ran.</summary>
    public const string OverBudget = "The tool was not run: the run reached its tool limit.";

    /// <summary>The <c>error</c> of a call to a tool that needs approval, which this call was not given: the tool never ran.</summary>
    public const string NotApproved = "The tool was not run: it needs approval, and this call was not approved.";

    private readonly ConcurrentDictionary<string, ToolOutcome> _outcomes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _approved = new(StringComparer.Ordinal);
    private Exception? _failure;

    /// <summary>Why the model loop was ended early, or null. The first reason wins (tools of a turn run side by side).</summary>
    public Exception? Failure => Volatile.Read(ref _failure);

    /// <summary>What became of the call with that id, once (null for a call the filter never saw: an unknown tool).</summary>
    public ToolOutcome? TakeOutcome(string callId) => _outcomes.TryRemove(callId, out var outcome) ? outcome : null;

    /// <summary>A call that was approved: it may run (once), though its tool needs approval.</summary>
    public void Approve(string callId) => _approved[callId] = true;

    public async Task OnAutoFunctionInvocationAsync(AutoFunctionInvocationContext context, Func<AutoFunctionInvocationContext, Task> next)
    {
        var callId = context.ToolCallId ?? "";
        var span = RunTracing.ToolSpan(callId);
        if (requiresApproval is { } requires && requires(context.Function.Name) && !_approved.TryRemove(callId, out _))
        {
            _outcomes[callId] = new ToolOutcome(0, NotApproved);
            RunTracing.ToolFailed(span, "not-approved", NotApproved);
            context.Result = new FunctionResult(context.Function, NotApproved);
            return;
        }
        if (budget.Take(context.RequestSequenceIndex) is { } overBudget)
        {
            _outcomes[callId] = new ToolOutcome(0, OverBudget);
            RunTracing.ToolFailed(span, "tool-limit", OverBudget);
            Fail(context, overBudget);
            return;
        }

        if (runStopping.IsCancellationRequested)
        {
            // The run was stopped before the tool began: it is not run at all, and nothing more is asked of the model.
            metrics.ToolCancelled(context.Function.Name, run.SinceStopRequested);
            RunTracing.ToolCancelled(span);
            _outcomes[callId] = new ToolOutcome(0, ToolFailed);
            context.Terminate = true;
            return;
        }
        var name = context.Function.Name;
        var started = Stopwatch.GetTimestamp();
        string? error = ToolFailed; // until the tool returns
        var toolToken = context.CancellationToken.CanBeCanceled ? context.CancellationToken : runStopping;
        using (toolToken.UnsafeRegister(_ => metrics.ToolCancelled(name, run.SinceStopRequested), null))
        {
            // Awaited without throwing: a tool of a stopped run that gives up by throwing ends here, quietly.
            var invoking = next(context);
            await invoking.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (invoking.IsCompletedSuccessfully) error = null;
            // A cancelled tool is recorded too: when the run was stopped no result is streamed, and when only the
            // tool's own token fired, the model goes on with the invoker's error text and the event says it failed.
            if (toolToken.IsCancellationRequested) RunTracing.ToolCancelled(span);
            _outcomes[callId] = new ToolOutcome((long)Stopwatch.GetElapsedTime(started).TotalMilliseconds, error);
            if (runStopping.IsCancellationRequested)
            {
                // The run was stopped: whatever the tool did, nothing more is asked of the model, and its host ends the run.
                context.Terminate = true;
                return;
            }
            if (invoking.Exception?.InnerException is { } exception and not OperationCanceledException)
            {
                RunTracing.ToolFailed(span, exception.GetType().FullName ?? "tool-failed", ToolFailed);
                Fail(context, new AgentToolException(name, exception));
            }
            else if (!invoking.IsCompletedSuccessfully)
            {
                await invoking; // cancelled by the tool's own token: the invoker makes the model's error text of it, as before
            }
        }
    }

    private void Fail(AutoFunctionInvocationContext context, Exception reason)
    {
        Interlocked.CompareExchange(ref _failure, reason, null);
        context.Terminate = true;
    }
}
