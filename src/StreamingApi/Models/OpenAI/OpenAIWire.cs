using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace StreamingApi.Models.OpenAI;

// The parts of the OpenAI chat completions API (POST /chat/completions) that this client uses, as OpenAI and the
// compatible servers (vLLM, Ollama, llama.cpp's server, LM Studio, DeepSeek) send them. The types a streamed chunk is
// read into have setters, not init accessors: System.Text.Json's generated reader sets those directly, where init-only
// properties send every chunk through its slower constructor-parameter path.

internal sealed record OpenAIRequest
{
    public required string Model { get; init; }

    public required List<OpenAIMessage> Messages { get; init; }

    public bool? Stream { get; init; }

    public OpenAIStreamOptions? StreamOptions { get; init; }

    public List<OpenAITool>? Tools { get; init; }

    /// <summary><c>"auto"</c>, <c>"none"</c>, <c>"required"</c> or <c>{"type": "function", "function": {"name": ...}}</c>.</summary>
    public JsonNode? ToolChoice { get; init; }

    public bool? ParallelToolCalls { get; init; }

    public JsonObject? ResponseFormat { get; init; }

    public float? Temperature { get; init; }

    public float? TopP { get; init; }

    public float? FrequencyPenalty { get; init; }

    public float? PresencePenalty { get; init; }

    public long? Seed { get; init; }

    public IList<string>? Stop { get; init; }

    public int? MaxCompletionTokens { get; init; }

    public string? ReasoningEffort { get; init; }
}

/// <summary><c>include_usage</c> asks for a last chunk with the answer's token counts (and no choices).</summary>
internal sealed record OpenAIStreamOptions(bool IncludeUsage);

internal sealed record OpenAIMessage
{
    public required string Role { get; init; }

    /// <summary>A string, or an array of content parts (text and images) for a user's message with images.</summary>
    public JsonNode? Content { get; init; }

    public string? Name { get; init; }

    public List<OpenAIToolCall>? ToolCalls { get; init; }

    public string? ToolCallId { get; init; }
}

internal sealed record OpenAIToolCall(string Id, OpenAIFunctionCall Function)
{
    public string Type { get; init; } = "function";
}

internal sealed record OpenAIFunctionCall(string Name, string Arguments);

internal sealed record OpenAITool(OpenAIFunction Function)
{
    public string Type { get; init; } = "function";
}

internal sealed record OpenAIFunction(string Name, string? Description, OpenAIParameters Parameters);

/// <summary>
/// A function's parameters as OpenAI reads them: an object schema with its properties, required names and
/// definitions, and nothing else of the schema a tool declares (<c>$schema</c>, titles, ...), which servers may refuse.
/// </summary>
internal sealed record OpenAIParameters
{
    public string Type { get; set; } = "object";

    public List<string> Required { get; set; } = [];

    public Dictionary<string, JsonElement> Properties { get; set; } = [];

    /// <summary>False unless the tool's schema allows more, as Microsoft.Extensions.AI.OpenAI sent it.</summary>
    [JsonPropertyName("additionalProperties")]
    public bool AdditionalProperties { get; set; }

    [JsonPropertyName("$defs")]
    public Dictionary<string, JsonElement>? Defs { get; set; }
}

/// <summary>A streamed <c>chat.completion.chunk</c>, or a whole <c>chat.completion</c> (its choices carry a message).</summary>
internal sealed record OpenAIChunk
{
    public string? Id { get; set; }

    public string? Model { get; set; }

    public long? Created { get; set; }

    public List<OpenAIChoice>? Choices { get; set; }

    public OpenAIUsage? Usage { get; set; }

    /// <summary>A failure some servers send in the stream after their 200: an object (message, type, code) or a string.</summary>
    public JsonElement? Error { get; set; }
}

internal sealed record OpenAIChoice
{
    public int Index { get; set; }

    public OpenAIDelta? Delta { get; set; }

    public OpenAIDelta? Message { get; set; }

    public string? FinishReason { get; set; }
}

/// <summary>What a chunk adds to the answer, or the whole answer's message.</summary>
internal sealed record OpenAIDelta
{
    public string? Role { get; set; }

    public string? Content { get; set; }

    /// <summary>The model's thinking, as DeepSeek, vLLM and llama.cpp's server name it.</summary>
    public string? ReasoningContent { get; set; }

    /// <summary>The model's thinking, as other servers (Ollama, OpenRouter, LM Studio) name it.</summary>
    public string? Reasoning { get; set; }

    public List<OpenAIToolCallDelta>? ToolCalls { get; set; }
}

/// <summary>A piece of a tool call: the first of its index usually has the id and name, the rest pieces of the arguments.</summary>
internal sealed record OpenAIToolCallDelta
{
    public int? Index { get; set; }

    public string? Id { get; set; }

    public OpenAIFunctionDelta? Function { get; set; }
}

internal sealed record OpenAIFunctionDelta
{
    public string? Name { get; set; }

    public string? Arguments { get; set; }
}

internal sealed record OpenAIUsage
{
    public long? PromptTokens { get; set; }

    public long? CompletionTokens { get; set; }

    public long? TotalTokens { get; set; }

    public OpenAIPromptTokensDetails? PromptTokensDetails { get; set; }

    public OpenAICompletionTokensDetails? CompletionTokensDetails { get; set; }
}

internal sealed record OpenAIPromptTokensDetails
{
    public long? CachedTokens { get; set; }
}

internal sealed record OpenAICompletionTokensDetails
{
    public long? ReasoningTokens { get; set; }
}
