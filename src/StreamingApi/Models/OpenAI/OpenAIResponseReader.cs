using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace StreamingApi.Models.OpenAI;

/// <summary>
/// Reads an answer's chunks into updates, one per chunk, as Microsoft.Extensions.AI.OpenAI did: text and reasoning as
/// they come, usage with the chunk that carries it, and the tool calls, whose pieces arrive keyed by index across
/// chunks, put together into <see cref="FunctionCallContent"/>s in one last update (<see cref="Calls"/>). A call the
/// server gave no id keeps an empty one, for <see cref="UniqueCallIdsChatClient"/> to fill.
/// </summary>
internal sealed class OpenAIResponseReader(string? apiKey)
{
    private Dictionary<int, CallPieces>? _calls;
    private int _lastCall = -1;
    private ChatRole? _role;
    private ChatFinishReason? _finishReason;
    private string? _responseId;
    private DateTimeOffset? _createdAt;
    private string? _modelId;

    /// <summary>The update a chunk makes, per streamed delta: no LINQ, no iterator.</summary>
    public ChatResponseUpdate Read(OpenAIChunk chunk)
    {
        if (chunk.Error is { ValueKind: not JsonValueKind.Null } error) throw OpenAIErrors.InStream(error, apiKey);
        _responseId ??= chunk.Id;
        _modelId ??= chunk.Model;
        DateTimeOffset? createdAt = chunk.Created is { } created ? DateTimeOffset.FromUnixTimeSeconds(created) : null;
        _createdAt ??= createdAt;

        List<AIContent>? contents = null;
        if (chunk.Choices is [var choice, ..] && (choice.Delta ?? choice.Message) is { } delta)
        {
            if (delta.Role is { } role) _role ??= new ChatRole(role);
            _finishReason ??= FinishReasonOf(choice.FinishReason);
            // Once, though a server may send the same thought under both names.
            if ((delta.ReasoningContent is { Length: > 0 } ? delta.ReasoningContent : delta.Reasoning) is { Length: > 0 } thought)
                (contents ??= new(2)).Add(new TextReasoningContent(thought));
            if (delta.Content is { Length: > 0 } text) (contents ??= new(1)).Add(new TextContent(text));
            if (delta.ToolCalls is { } pieces) Collect(pieces);
        }
        else if (chunk.Choices is [var ended, ..])
        {
            _finishReason ??= FinishReasonOf(ended.FinishReason);
        }
        if (chunk.Usage is { } usage) (contents ??= new(1)).Add(new UsageContent(UsageOf(usage)));

        return new ChatResponseUpdate(_role ?? ChatRole.Assistant, contents)
        {
            ResponseId = chunk.Id,
            MessageId = chunk.Id, // one message per answer: the answer's id
            CreatedAt = createdAt,
            FinishReason = _finishReason,
            ModelId = _modelId,
        };
    }

    /// <summary>The tool calls put together, once the answer is read; none when it had none.</summary>
    public ChatResponseUpdate? Calls()
    {
        if (_calls is null) return null;
        var contents = new List<AIContent>(_calls.Count);
        foreach (var (_, call) in _calls)
        {
            if (string.IsNullOrWhiteSpace(call.Name)) continue;
            contents.Add(FunctionCallContent.CreateFromParsedArguments(call.Arguments?.ToString() ?? "", call.Id ?? "", call.Name,
                static json => JsonSerializer.Deserialize(json, OpenAIJsonContext.Default.IDictionaryStringObject)));
        }
        return new ChatResponseUpdate(_role ?? ChatRole.Assistant, contents)
        {
            ResponseId = _responseId,
            MessageId = _responseId,
            CreatedAt = _createdAt,
            FinishReason = _finishReason,
            ModelId = _modelId,
        };
    }

    private void Collect(List<OpenAIToolCallDelta> pieces)
    {
        _calls ??= [];
        for (var i = 0; i < pieces.Count; i++)
        {
            var piece = pieces[i];
            // A server that numbers no pieces sends each call whole, or its first piece with the name.
            var index = piece.Index ?? (piece.Function?.Name is { Length: > 0 } || _lastCall < 0 ? _calls.Count : _lastCall);
            _lastCall = index;
            if (!_calls.TryGetValue(index, out var call)) _calls[index] = call = new CallPieces();
            if (string.IsNullOrEmpty(call.Id)) call.Id = piece.Id;
            if (string.IsNullOrEmpty(call.Name)) call.Name = piece.Function?.Name;
            if (piece.Function?.Arguments is { Length: > 0 } arguments) (call.Arguments ??= new StringBuilder()).Append(arguments);
        }
    }

    private static ChatFinishReason? FinishReasonOf(string? reason) => reason switch
    {
        null => null,
        "stop" => ChatFinishReason.Stop,
        "length" => ChatFinishReason.Length,
        "content_filter" => ChatFinishReason.ContentFilter,
        "tool_calls" or "function_call" => ChatFinishReason.ToolCalls,
        _ => new ChatFinishReason(reason),
    };

    private static UsageDetails UsageOf(OpenAIUsage usage) => new()
    {
        InputTokenCount = usage.PromptTokens,
        OutputTokenCount = usage.CompletionTokens,
        TotalTokenCount = usage.TotalTokens,
        CachedInputTokenCount = usage.PromptTokensDetails?.CachedTokens,
        ReasoningTokenCount = usage.CompletionTokensDetails?.ReasoningTokens,
    };

    private sealed class CallPieces
    {
        public string? Id;
        public string? Name;
        public StringBuilder? Arguments;
    }
}
