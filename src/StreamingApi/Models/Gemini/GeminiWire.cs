using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace StreamingApi.Models.Gemini;

// The parts of the Gemini REST API (v1beta, generateContent / streamGenerateContent) that this client uses.

internal sealed record GeminiRequest
{
    public GeminiContent? SystemInstruction { get; init; }

    public required List<GeminiContent> Contents { get; init; }

    public List<GeminiTool>? Tools { get; init; }

    public GeminiToolConfig? ToolConfig { get; init; }

    public GeminiGenerationConfig? GenerationConfig { get; init; }
}

internal sealed record GeminiContent
{
    public string? Role { get; init; }

    public List<GeminiPart> Parts { get; init; } = [];
}

internal sealed record GeminiPart
{
    public string? Text { get; init; }

    public bool? Thought { get; init; }

    public string? ThoughtSignature { get; init; }

    public GeminiFunctionCall? FunctionCall { get; init; }

    public GeminiFunctionResponse? FunctionResponse { get; init; }
}

internal sealed record GeminiFunctionCall
{
    public string? Id { get; init; }

    public required string Name { get; init; }

    public JsonObject? Args { get; init; }
}

internal sealed record GeminiFunctionResponse
{
    public string? Id { get; init; }

    public required string Name { get; init; }

    public required JsonObject Response { get; init; }
}

internal sealed record GeminiTool(List<GeminiFunctionDeclaration> FunctionDeclarations);

internal sealed record GeminiFunctionDeclaration(string Name, string? Description, JsonObject? Parameters);

internal sealed record GeminiToolConfig(GeminiFunctionCallingConfig FunctionCallingConfig);

internal sealed record GeminiFunctionCallingConfig(string Mode)
{
    public List<string>? AllowedFunctionNames { get; init; }
}

internal sealed record GeminiGenerationConfig
{
    public float? Temperature { get; init; }

    public float? TopP { get; init; }

    public int? TopK { get; init; }

    public int? MaxOutputTokens { get; init; }

    public long? Seed { get; init; }

    public IList<string>? StopSequences { get; init; }

    public string? ResponseMimeType { get; init; }

    public JsonObject? ResponseSchema { get; init; }

    public GeminiThinkingConfig? ThinkingConfig { get; init; }
}

/// <summary><c>includeThoughts</c> asks for thought summaries: parts marked <c>thought: true</c>.</summary>
internal sealed record GeminiThinkingConfig(bool IncludeThoughts);

internal sealed record GeminiResponse
{
    public List<GeminiCandidate>? Candidates { get; init; }

    public GeminiUsage? UsageMetadata { get; init; }

    public GeminiPromptFeedback? PromptFeedback { get; init; }

    public string? ModelVersion { get; init; }

    public string? ResponseId { get; init; }
}

internal sealed record GeminiCandidate
{
    public GeminiContent? Content { get; init; }

    public string? FinishReason { get; init; }

    public string? FinishMessage { get; init; }
}

internal sealed record GeminiUsage
{
    public int? PromptTokenCount { get; init; }

    public int? CandidatesTokenCount { get; init; }

    public int? ThoughtsTokenCount { get; init; }

    public int? TotalTokenCount { get; init; }
}

internal sealed record GeminiPromptFeedback
{
    public string? BlockReason { get; init; }
}

internal sealed record GeminiErrorEnvelope(GeminiError? Error);

internal sealed record GeminiError
{
    public int Code { get; init; }

    public string? Message { get; init; }

    public string? Status { get; init; }

    public List<JsonElement>? Details { get; init; }
}
