using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;
using StreamingApi.Agents.Output;
using StreamingApi.Agents.Tools;
using StreamingApi.Runs;

namespace StreamingApi.Agents;

/// <summary>
/// Runs one agent on a chat model through Semantic Kernel: the model streams text and asks for tools, Semantic
/// Kernel's automatic function invocation runs them (observed by <see cref="ToolEventFilter"/>), and, where the agent
/// has a structured result, a last turn asks for it as JSON and streams it as it grows.
/// </summary>
/// <remarks>
/// The structured result is asked for in its own turn, with a JSON response format and no tools, rather than as the
/// arguments of an output tool: models stream text token by token but hand over a tool call's arguments whole, and
/// the <c>partial</c> events need the object as it grows. A turn without tools also suits models that refuse a
/// JSON response format together with tools (Gemini 2.x).
/// </remarks>
public sealed class ChatAgent(AgentDefinition definition, IChatClient client, string model) : IAgent
{
    private static readonly JsonSerializerOptions SchemaOptions = new(JsonSerializerDefaults.Web);

    public string Name => definition.Name;

    public string Model => model;

    public async IAsyncEnumerable<AgentEvent> RunAsync(AgentRequest request, RunContext run, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var events = Channel.CreateUnbounded<AgentEvent>(new UnboundedChannelOptions { SingleReader = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = Task.Run(() => ProduceAsync(request, run, events.Writer, stop.Token), CancellationToken.None);
        try
        {
            await foreach (var @event in events.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                yield return @event;
            await producer.ConfigureAwait(false);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await producer.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task ProduceAsync(AgentRequest request, RunContext run, ChannelWriter<AgentEvent> events, CancellationToken cancellationToken)
    {
        var kernel = definition.Kernel.Clone();
        kernel.Data[ToolCancellation.RunKey] = run;
        kernel.Data[FlakyTools.FailKey] = request.FailTools;
        var tools = new ToolEventFilter(events);
        kernel.AutoFunctionInvocationFilters.Add(tools);
        try
        {
            List<ChatMessage> messages = [new(ChatRole.System, definition.Instructions), new(ChatRole.User, request.Prompt)];
            var settings = new PromptExecutionSettings { FunctionChoiceBehavior = definition.HasTools ? FunctionChoiceBehavior.Auto() : null };
            var turn = definition.Output is null ? null : new List<ChatResponseUpdate>();
            await foreach (var update in client.GetStreamingResponseAsync(messages, settings.ToChatOptions(kernel), cancellationToken).ConfigureAwait(false))
            {
                turn?.Add(update);
                Report(update, events, run.Stats);
            }
            if (tools.Failure is { } failure) throw failure;

            if (definition.Output is { } output)
            {
                messages.AddRange(turn!.ToChatResponse().Messages);
                messages.Add(new ChatMessage(ChatRole.User, output.Instruction));
                await StreamOutputAsync(output, messages, events, run.Stats, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            events.TryComplete();
        }
    }

    private async Task StreamOutputAsync(OutputSpec output, List<ChatMessage> messages, ChannelWriter<AgentEvent> events, RunStats stats,
        CancellationToken cancellationToken)
    {
        var options = new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(output.Type, SchemaOptions, output.Type.Name) };
        var json = new StringBuilder();
        string? shown = null;
        await foreach (var update in client.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            ReportUsage(update, stats);
            if (string.IsNullOrEmpty(update.Text)) continue;
            json.Append(update.Text);
            if (PartialJson.Parse(json.ToString()) is JsonObject partial && partial.ToJsonString() is var text && text != shown)
            {
                shown = text;
                events.TryWrite(new PartialOutput(partial));
            }
        }
        events.TryWrite(new FinalOutput(output.Parse(json.ToString())));
    }

    private static void Report(ChatResponseUpdate update, ChannelWriter<AgentEvent> events, RunStats stats)
    {
        foreach (var content in update.Contents)
        {
            if (content is Microsoft.Extensions.AI.TextContent { Text.Length: > 0 } text) events.TryWrite(new TextDelta(text.Text));
        }
        ReportUsage(update, stats);
    }

    private static void ReportUsage(ChatResponseUpdate update, RunStats stats)
    {
        if (update.FinishReason == ChatFinishReason.Length) stats.EndReason = "max-tokens";
        foreach (var content in update.Contents)
        {
            if (content is UsageContent usage)
                stats.AddUsage(usage.Details.InputTokenCount ?? 0, usage.Details.OutputTokenCount ?? 0);
        }
    }
}
