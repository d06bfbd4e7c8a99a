using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;
using StreamingApi.Agents.Output;
using StreamingApi.Observability;

namespace StreamingApi.Agents;

/// <summary>
/// Runs one agent on a chat model through Semantic Kernel: the model gets the agent's instructions, the conversation so
/// far (<see cref="AgentRequest.History"/>, as text) and the request; it streams its reasoning and text and asks for
/// tools, Semantic Kernel's automatic function invocation runs them (each call wrapped by the run's
/// <see cref="ToolCallFilter"/>), and, where the agent has a structured result, a last turn asks for it as JSON and
/// streams it as it grows.
/// </summary>
/// <remarks>
/// The structured result is asked for in its own turn, with a JSON response format and no tools, rather than as the
/// arguments of an output tool: models stream text token by token but hand over a tool call's arguments whole, and
/// the <c>partial</c> events need the object as it grows. A turn without tools also suits models that refuse a
/// JSON response format together with tools (Gemini 2.x).
/// </remarks>
public sealed class ChatAgent(AgentDefinition definition, IChatClient client, string model, ToolBudgetOptions budget, StreamingMetrics metrics)
    : IAgent
{
    private static readonly JsonSerializerOptions SchemaOptions = new(JsonSerializerDefaults.Web);

    public string Name => definition.Name;

    public string Model => model;

    public async IAsyncEnumerable<AgentEvent> RunAsync(AgentRequest request, RunContext run, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // The function invocation layer yields the calls it is about to make and then their results, as contents of
        // the update stream; they become tool events here, with what the run's filter knows about each call. An agent
        // without tools talks to the model directly, and its updates are read as they come.
        var kernel = definition.HasTools ? definition.Kernel.Clone() : definition.Kernel; // the run's own filter, on the agent's tools
        var filter = definition.HasTools
            ? new ToolCallFilter(run, new ToolBudget(budget), metrics, cancellationToken, definition.RequiresApproval)
            : null;
        if (filter is not null) kernel.AutoFunctionInvocationFilters.Add(filter);
        // The tools as Semantic Kernel offers them to the model, and the client's as declarations, which the function
        // invocation layer hands back instead of invoking; an agent without tools asks with no options at all.
        var clientTools = request.Resume?.Checkpoint.ClientTools ?? request.ClientTools;
        var chatOptions = definition.HasTools ? new PromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.Auto() }.ToChatOptions(kernel)
            : clientTools.Count > 0 ? new ChatOptions()
            : null;
        if (clientTools.Count > 0) chatOptions!.Tools = [.. chatOptions.Tools ?? [], .. clientTools.Select(t => t.ToDeclaration())];
        var clientToolNames = clientTools.Count == 0 ? null : clientTools.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        // Semantic Kernel's invoker runs only KernelFunctions, so a tool wrapped for approval could ask but never run: it is
        // wrapped in the turn that asks, and offered as it is when the run goes on with the decisions (the filter then
        // lets only the approved calls of it run).
        if (chatOptions?.Tools is { } offered && definition.RequiresApproval is { } requires && request.Resume is null)
            chatOptions.Tools = [.. offered.Select(t => RequireApproval(t, requires))];
        var tools = filter is null ? null : new ToolEvents(filter, chatOptions?.Tools);
        // The tools' spans record their data when the model's do (Telemetry:RecordContent).
        if (filter is not null && client.GetService<OpenTelemetryChatClient>() is { EnableSensitiveData: true }) RunTracing.RecordToolContent();

        var messages = request.Resume is { } resume
            ? Resumed(resume, tools, filter)
            : [new(ChatRole.System, definition.Instructions), .. ContextOf(request), .. request.History.Select(ToChatMessage), new(ChatRole.User, request.Prompt)];
        // The turn's messages are kept when the run may stop to wait (for approvals, for the client's tools), or ask for a
        // structured result after it.
        var turn = definition.Output is null && definition.RequiresApproval is null && clientTools.Count == 0 ? null : new List<ChatResponseUpdate>();
        var waiting = false;
        // Offered no tool, the model answers in one turn, and its finish ends the answer. Offered some, a finish may still
        // be followed by calls (some servers say "stop" and then give the calls): only the stream's end says it is whole.
        var oneTurn = chatOptions?.Tools is not { Count: > 0 } && definition.Output is null;
        SplitCharacters? split = null; // made only when a model splits a character between two deltas
        await foreach (var update in client.GetStreamingResponseAsync(messages, chatOptions, cancellationToken).ConfigureAwait(false))
        {
            turn?.Add(update);
            ReportUsage(update, run.Stats);
            // The answer came to its finish: a stop that lands from here on is too late (the run ends as completed, with the
            // rest of this update and of the stream).
            if (oneTurn && update.FinishReason is { } finish && finish != ChatFinishReason.ToolCalls) run.TryFinish();
            var contents = update.Contents; // indexed: foreach over the IList would box an enumerator per delta
            for (var i = 0; i < contents.Count; i++)
            {
                if (contents[i] is ToolApprovalRequestContent approval && tools is not null && ClientCallIn(approval, clientToolNames) is null)
                {
                    // The function invocation layer asks instead of invoking: the call is announced, then its request.
                    waiting = true;
                    foreach (var asked in tools.ToEvents(approval)) yield return asked;
                    continue;
                }
                if ((contents[i] as Microsoft.Extensions.AI.FunctionCallContent ?? ClientCallIn(contents[i], clientToolNames)) is { } call
                    && clientToolNames?.Contains(call.Name) == true)
                {
                    // The client's tool: handed back uninvoked (in a turn that also asks approval, inside a request that needs
                    // no confirmation), the run waits for the client to run it.
                    waiting = true;
                    yield return new ToolCallStarted(call.CallId, call.Name, call.Arguments is { } arguments ? new Dictionary<string, object?>(arguments) : [])
                    {
                        Client = true,
                    };
                    continue;
                }
                var @event = ToEvent(contents[i], ref split) ?? tools?.ToEvent(contents[i]);
                if (@event is not null) yield return @event;
            }
        }
        if (split is not null)
            foreach (var rest in split.Rest()) yield return rest;
        // A stopped model may end its stream quietly rather than throw (the offline model does): the run ends here, as
        // it would have with the exception, and its host reads why from the token.
        if (cancellationToken.IsCancellationRequested) yield break;
        if (filter?.Failure is { } failure) throw failure;
        if (waiting)
        {
            // The conversation so far, approval requests and the client's calls included, is all it takes to go on: the run
            // waits as data.
            messages.AddRange(turn!.ToChatResponse().Messages.Select(m => WithClientCallsUnwrapped(m, clientToolNames)));
            yield return new RunPaused(new AgentCheckpoint(JsonSerializer.Serialize(messages, AIJsonUtilities.DefaultOptions)) { ClientTools = clientTools });
            yield break;
        }
        if (definition.Output is not { } output)
        {
            run.TryFinish(); // its stream ended, every call answered: the answer is whole (a model offered tools, or giving no finish)
            yield break;
        }

        messages.AddRange(turn!.ToChatResponse().Messages);
        messages.Add(new ChatMessage(ChatRole.User, output.Instruction));
        var options = new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(output.Type, SchemaOptions, output.Type.Name) };
        var json = new StringBuilder();
        string? shown = null;
        await foreach (var update in client.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            ReportUsage(update, run.Stats);
            if (update.FinishReason is not null) run.TryFinish(); // the result's JSON is whole: a stop from here on is too late
            var contents = update.Contents;
            for (var i = 0; i < contents.Count; i++)
            {
                if (contents[i] is TextReasoningContent { Text.Length: > 0 } thought
                    && SplitCharacters.Whole(ref split, thought.Text, reasoning: true) is { } whole)
                    yield return whole;
            }
            if (string.IsNullOrEmpty(update.Text)) continue;
            json.Append(update.Text);
            if (PartialJson.Parse(json.ToString()) is JsonObject partial && partial.ToJsonString() is var partialText && partialText != shown)
            {
                shown = partialText;
                yield return new PartialOutput(partial);
            }
        }
        if (split is not null)
            foreach (var rest in split.Rest()) yield return rest;
        if (cancellationToken.IsCancellationRequested || !run.TryFinish()) yield break;
        yield return new FinalOutput(output.Parse(json.ToString()));
    }

    /// <summary>
    /// A tool that waits for a decision before each call is offered wrapped in <see cref="ApprovalRequiredAIFunction"/>:
    /// the function invocation layer then yields a <see cref="ToolApprovalRequestContent"/> for its calls instead of
    /// invoking them, and invokes them (through the same filter) once given an approving <see cref="ToolApprovalResponseContent"/>.
    /// </summary>
    private static AITool RequireApproval(AITool tool, Func<string, bool> requires) =>
        tool is KernelFunction function && requires(function.Name) ? new ApprovalRequiredAIFunction(function) : tool;

    /// <summary>
    /// The conversation of a run that waited, with the answers added as the function invocation layer expects them: the
    /// client's results of its tools' calls, in a tool message; a <see cref="ToolApprovalResponseContent"/> per approval
    /// request, in a user message. A request that needed no confirmation (another call of the same turn) is approved as
    /// it is.
    /// </summary>
    private static List<ChatMessage> Resumed(AgentResume resume, ToolEvents? tools, ToolCallFilter? filter)
    {
        var messages = JsonSerializer.Deserialize<List<ChatMessage>>(resume.Checkpoint.Conversation, AIJsonUtilities.DefaultOptions) ?? [];
        var results = resume.Decisions.Where(d => ClientTool.CallIdOf(d.ApprovalId) is not null).Select(ClientResult).ToList();
        if (results.Count > 0) messages.Add(new ChatMessage(ChatRole.Tool, results));
        var decisions = resume.Decisions.ToDictionary(d => d.ApprovalId, StringComparer.Ordinal);
        var responses = new List<AIContent>();
        var contents = messages.SelectMany(m => m.Contents).ToList();
        var answered = contents.OfType<ToolApprovalResponseContent>().Select(r => r.RequestId).ToHashSet(StringComparer.Ordinal); // an earlier wait's
        foreach (var request in contents.OfType<ToolApprovalRequestContent>().Where(r => !answered.Contains(r.RequestId)))
        {
            var approved = decisions.TryGetValue(request.RequestId, out var decision) ? decision.Approved : !request.RequiresConfirmation;
            responses.Add(request.CreateResponse(approved, decision?.Reason));
            tools?.Resumed(request, approved);
            if (approved && request.ToolCall is Microsoft.Extensions.AI.FunctionCallContent call) filter?.Approve(call.CallId);
        }
        if (responses.Count > 0) messages.Add(new ChatMessage(ChatRole.User, responses));
        return messages;
    }

    /// <summary>
    /// The call of the client's tool a request stands for, or null. When a turn asks approval for one call, the function
    /// invocation layer hands back every call of the turn as a <see cref="ToolApprovalRequestContent"/>, a client's call
    /// among them (one that needs no confirmation): it is still the client's to run, never approved nor invoked here.
    /// </summary>
    private static Microsoft.Extensions.AI.FunctionCallContent? ClientCallIn(AIContent content, HashSet<string>? clientToolNames) =>
        content is ToolApprovalRequestContent { ToolCall: Microsoft.Extensions.AI.FunctionCallContent call } && clientToolNames?.Contains(call.Name) == true
            ? call
            : null;

    /// <summary>
    /// The turn's message as the run keeps it: a client's call stands as the call itself, not inside a request, so that when
    /// the run goes on the client's result answers it and the function invocation layer neither runs nor rejects it.
    /// </summary>
    private static ChatMessage WithClientCallsUnwrapped(ChatMessage message, HashSet<string>? clientToolNames)
    {
        if (clientToolNames is null || !message.Contents.Any(c => ClientCallIn(c, clientToolNames) is not null)) return message;
        var unwrapped = message.Clone();
        unwrapped.Contents = [.. message.Contents.Select(c => ClientCallIn(c, clientToolNames) ?? c)];
        return unwrapped;
    }

    /// <summary>What the client's tool returned, for the model; when it gave nothing in time, a text that says so.</summary>
    private static AIContent ClientResult(ApprovalDecision answer) =>
        new Microsoft.Extensions.AI.FunctionResultContent(ClientTool.CallIdOf(answer.ApprovalId)!, answer.Output is { } output
            ? JsonSerializer.Deserialize<JsonElement>(output)
            : $"Error: the client gave no result ({answer.Reason ?? "no answer"}).");

    /// <summary>The client's context, when it gave some: a system message of its own after the agent's instructions.</summary>
    private static IEnumerable<ChatMessage> ContextOf(AgentRequest request) =>
        request.Context.Count == 0 ? [] : [new(ChatRole.System, ContextItem.Render(request.Context))];

    /// <summary>An earlier message of the conversation goes to the model as plain text, under its speaker's role.</summary>
    private static ChatMessage ToChatMessage(ConversationMessage message) =>
        new(message.Role == ConversationRole.User ? ChatRole.User : ChatRole.Assistant, message.Text);

    /// <summary>
    /// Reasoning and text are separate events: a model's thinking is never mixed into its answer. Each is whole
    /// characters (<see cref="SplitCharacters"/>).
    /// </summary>
    private static AgentEvent? ToEvent(AIContent content, ref SplitCharacters? split) => content switch
    {
        Microsoft.Extensions.AI.TextContent { Text.Length: > 0 } text => SplitCharacters.Whole(ref split, text.Text, reasoning: false),
        TextReasoningContent { Text.Length: > 0 } thought => SplitCharacters.Whole(ref split, thought.Text, reasoning: true),
        _ => null,
    };

    private static void ReportUsage(ChatResponseUpdate update, RunStats stats)
    {
        if (update.FinishReason == ChatFinishReason.Length) stats.EndReason = "max-tokens";
        var contents = update.Contents;
        for (var i = 0; i < contents.Count; i++)
        {
            if (contents[i] is UsageContent usage)
                stats.AddUsage(usage.Details.InputTokenCount ?? 0, usage.Details.OutputTokenCount ?? 0, usage.Details.ReasoningTokenCount);
        }
    }
}
