using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
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
        // Tool events are raised by the filter while the model's stream waits for the tools; they meet the text here.
        // An agent without tools needs none of it: its updates are read as they come, with no layer in between.
        var toolEvents = definition.HasTools ? Channel.CreateUnbounded<AgentEvent>(new UnboundedChannelOptions { SingleReader = true }) : null;
        var kernel = definition.HasTools ? definition.Kernel.Clone() : definition.Kernel; // the run's own filter, on the agent's tools
        var tools = toolEvents is null ? null : new ToolCallFilter(toolEvents.Writer, run, new ToolBudget(budget), metrics, cancellationToken);
        if (tools is not null) kernel.AutoFunctionInvocationFilters.Add(tools);

        List<ChatMessage> messages = [new(ChatRole.System, definition.Instructions), .. request.History.Select(ToChatMessage), new(ChatRole.User, request.Prompt)];
        // The tools as Semantic Kernel offers them to the model; an agent without tools asks with no options at all.
        var chatOptions = definition.HasTools ? new PromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.Auto() }.ToChatOptions(kernel) : null;
        var turn = definition.Output is null ? null : new List<ChatResponseUpdate>();
        var updates = client.GetStreamingResponseAsync(messages, chatOptions, cancellationToken);
        var items = toolEvents is not null ? Merge(updates, toolEvents.Reader, cancellationToken) : AsItems(updates);
        await foreach (var item in items.ConfigureAwait(false))
        {
            if (item.Event is { } toolEvent)
            {
                yield return toolEvent;
                continue;
            }
            var update = item.Update!;
            turn?.Add(update);
            ReportUsage(update, run.Stats);
            var contents = update.Contents; // indexed: foreach over the IList would box an enumerator per delta
            for (var i = 0; i < contents.Count; i++)
            {
                if (ToEvent(contents[i]) is { } @event) yield return @event;
            }
        }
        while (toolEvents is not null && toolEvents.Reader.TryRead(out var late)) yield return late;
        if (tools?.Failure is { } failure) throw failure;
        if (definition.Output is not { } output) yield break;

        messages.AddRange(turn!.ToChatResponse().Messages);
        messages.Add(new ChatMessage(ChatRole.User, output.Instruction));
        var options = new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(output.Type, SchemaOptions, output.Type.Name) };
        var json = new StringBuilder();
        string? shown = null;
        await foreach (var update in client.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            ReportUsage(update, run.Stats);
            var contents = update.Contents;
            for (var i = 0; i < contents.Count; i++)
            {
                if (contents[i] is TextReasoningContent { Text.Length: > 0 } thought) yield return new ReasoningDelta(thought.Text);
            }
            if (string.IsNullOrEmpty(update.Text)) continue;
            json.Append(update.Text);
            if (PartialJson.Parse(json.ToString()) is JsonObject partial && partial.ToJsonString() is var partialText && partialText != shown)
            {
                shown = partialText;
                yield return new PartialOutput(partial);
            }
        }
        yield return new FinalOutput(output.Parse(json.ToString()));
    }

    private readonly record struct Item(ChatResponseUpdate? Update, AgentEvent? Event);

    private static async IAsyncEnumerable<Item> AsItems(IAsyncEnumerable<ChatResponseUpdate> updates)
    {
        await foreach (var update in updates.ConfigureAwait(false)) yield return new Item(update, null);
    }

    /// <summary>
    /// The model's updates, with the tool events that arrive while the next update is awaited. An update that is
    /// already there is taken at once, with no extra task or thread hop.
    /// </summary>
    private static async IAsyncEnumerable<Item> Merge(IAsyncEnumerable<ChatResponseUpdate> updates, ChannelReader<AgentEvent> toolEvents,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var source = updates.GetAsyncEnumerator(stop.Token);
        Task<bool>? pending = null;
        Task<bool>? toolEvent = null;
        try
        {
            while (true)
            {
                var next = source.MoveNextAsync();
                if (!next.IsCompleted)
                {
                    pending = next.AsTask();
                    while (!pending.IsCompleted)
                    {
                        toolEvent ??= toolEvents.WaitToReadAsync(stop.Token).AsTask();
                        await Task.WhenAny(pending, toolEvent).ConfigureAwait(false);
                        if (toolEvent.IsCompleted) toolEvent = null;
                        while (toolEvents.TryRead(out var @event)) yield return new Item(null, @event);
                    }
                    next = new ValueTask<bool>(pending);
                    pending = null;
                }
                if (!await next.ConfigureAwait(false)) break;
                while (toolEvents.TryRead(out var @event)) yield return new Item(null, @event);
                yield return new Item(source.Current, null);
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            if (pending is not null) await ((Task)pending).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (toolEvent is not null) await ((Task)toolEvent).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await source.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>An earlier message of the conversation goes to the model as plain text, under its speaker's role.</summary>
    private static ChatMessage ToChatMessage(ConversationMessage message) =>
        new(message.Role == ConversationRole.User ? ChatRole.User : ChatRole.Assistant, message.Text);

    /// <summary>Reasoning and text are separate events: a model's thinking is never mixed into its answer.</summary>
    private static AgentEvent? ToEvent(AIContent content) => content switch
    {
        Microsoft.Extensions.AI.TextContent { Text.Length: > 0 } text => new TextDelta(text.Text),
        TextReasoningContent { Text.Length: > 0 } thought => new ReasoningDelta(thought.Text),
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
