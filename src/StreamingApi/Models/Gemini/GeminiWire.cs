using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace StreamingApi.Models.Gemini;

// The parts of the Gemini REST API (v1beta, generateContent / streamGenerateContent) that this client uses. The types a
// streamed chunk is read into have setters, not init accessors: System.Text.Json's generated reader sets those directly,
// where init-only properties send every chunk through its slower constructor-parameter path.

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
    public string? Role { get; set; }

    public List<GeminiPart> Parts { get; set; } = [];
}

internal sealed record GeminiPart
{
    public string? Text { get; set; }

    public bool? Thought { get; set; }

    public string? ThoughtSignature { get; set; }

    public GeminiFunctionCall? FunctionCall { get; set; }

    public GeminiFunctionResponse? FunctionResponse { get; set; }
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
    public List<GeminiCandidate>? Candidates { get; set; }

    public GeminiUsage? UsageMetadata { get; set; }

    public GeminiPromptFeedback? PromptFeedback { get; set; }

    public string? ModelVersion { get; set; }

    public string? ResponseId { get; set; }
}

internal sealed record GeminiCandidate
{
    public GeminiContent? Content { get; set; }

    public string? FinishReason { get; set; }

    public string? FinishMessage { get; set; }
}

internal sealed record GeminiUsage
{
    public int? PromptTokenCount { get; set; }

    public int? CandidatesTokenCount { get; set; }

    public int? ThoughtsTokenCount { get; set; }

    public int? TotalTokenCount { get; set; }
}

internal sealed record GeminiPromptFeedback
{
    public string? BlockReason { get; set; }
}

internal sealed record GeminiErrorEnvelope(GeminiError? Error);

internal sealed record GeminiError
{
    public int Code { get; init; }

    public string? Message { get; init; }

    public string? Status { get; init; }

    public List<JsonElement>? Details { get; init; }
}
