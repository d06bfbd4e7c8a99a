using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace StreamingApi.Models.Gemini;

/// <summary>Turns a Microsoft.Extensions.AI conversation and its options into a Gemini request.</summary>
internal static class GeminiRequestBuilder
{
    /// <summary>Where a Gemini part's thought signature is kept on our content, to be sent back on the next turn.</summary>
    public const string ThoughtSignatureKey = "gemini.thoughtSignature";

    /// <summary>The id Gemini gave a function call, sent back with the call and its result; ours never go to Gemini.</summary>
    public const string GeminiCallIdKey = "gemini.callId";

    public static GeminiRequest Build(IEnumerable<ChatMessage> messages, ChatOptions? options, bool includeThoughts)
    {
        // Calls by our id, as of the point reached: a result answers the latest call with its id, under that call's name.
        var calls = new Dictionary<string, FunctionCallContent>(StringComparer.Ordinal);
        var system = new List<GeminiPart>();
        var contents = new List<GeminiContent>();
        foreach (var message in messages)
        {
            if (message.Role == ChatRole.System)
            {
                system.AddRange(message.Contents.OfType<TextContent>().Select(t => new GeminiPart { Text = t.Text }));
                continue;
            }

            foreach (var call in message.Contents.OfType<FunctionCallContent>()) calls[call.CallId] = call;
            var role = message.Role == ChatRole.Assistant ? "model" : "user";
            var parts = message.Contents.Select(c => ToPart(c, calls)).OfType<GeminiPart>().ToList();
            if (parts.Count == 0) continue;
            // Gemini wants turns to alternate; tool results (role "tool") join the user turn they belong to.
            if (contents.Count > 0 && contents[^1].Role == role) contents[^1].Parts.AddRange(parts);
            else contents.Add(new GeminiContent { Role = role, Parts = parts });
        }

        return new GeminiRequest
        {
            SystemInstruction = system.Count > 0 ? new GeminiContent { Parts = system } : null,
            Contents = contents,
            Tools = ToolsOf(options),
            ToolConfig = ToolConfigOf(options),
            GenerationConfig = GenerationConfigOf(options, includeThoughts),
        };
    }

    private static GeminiPart? ToPart(AIContent content, Dictionary<string, FunctionCallContent> calls) => content switch
    {
        TextContent { Text.Length: > 0 } text => new GeminiPart { Text = text.Text, ThoughtSignature = SignatureOf(text) },
        // A thought goes back only with its signature: Gemini reads nothing from the summary's text alone.
        TextReasoningContent { ProtectedData: { } signature } thought => new GeminiPart { Text = thought.Text, Thought = true, ThoughtSignature = signature },
        FunctionCallContent call => new GeminiPart
        {
            FunctionCall = new GeminiFunctionCall
            {
                Id = GeminiIdOf(call),
                Name = call.Name,
                Args = call.Arguments is null ? [] : JsonSerializer.SerializeToNode(call.Arguments, AIJsonUtilities.DefaultOptions)!.AsObject(),
            },
            ThoughtSignature = SignatureOf(call),
        },
        FunctionResultContent result => calls.TryGetValue(result.CallId, out var call)
            ? new GeminiPart
            {
                FunctionResponse = new GeminiFunctionResponse { Id = GeminiIdOf(call), Name = call.Name, Response = ResponseOf(result) },
            }
            : throw new InvalidOperationException($"No function call with id '{result.CallId}' precedes its result."),
        _ => null,
    };

    /// <summary>Gemini wants an object; anything else is wrapped as {"result": ...}, failures as {"error": ...}.</summary>
    private static JsonObject ResponseOf(FunctionResultContent result)
    {
        if (result.Exception is not null) return new JsonObject { ["error"] = "The tool failed." };
        var node = result.Result is null ? null : JsonSerializer.SerializeToNode(result.Result, AIJsonUtilities.DefaultOptions);
        return node as JsonObject ?? new JsonObject { ["result"] = node };
    }

    private static string? SignatureOf(AIContent content) =>
        content.AdditionalProperties?.TryGetValue(ThoughtSignatureKey, out var signature) == true ? signature as string : null;

    private static string? GeminiIdOf(FunctionCallContent call) =>
        call.AdditionalProperties?.TryGetValue(GeminiCallIdKey, out var id) == true ? id as string : null;

    private static List<GeminiTool>? ToolsOf(ChatOptions? options)
    {
        var functions = options?.Tools?.OfType<AIFunctionDeclaration>()
            .Select(f => new GeminiFunctionDeclaration(f.Name, f.Description, ParametersOf(f.JsonSchema)))
            .ToList();
        return functions is { Count: > 0 } ? [new GeminiTool(functions)] : null;
    }

    /// <summary>Gemini rejects an object schema without properties: a function without parameters declares none.</summary>
    private static JsonObject? ParametersOf(JsonElement schema)
    {
        var converted = GeminiSchema.Convert(schema);
        return converted["properties"] is JsonObject { Count: > 0 } ? converted : null;
    }

    private static GeminiToolConfig? ToolConfigOf(ChatOptions? options) => options?.ToolMode switch
    {
        NoneChatToolMode => new GeminiToolConfig(new GeminiFunctionCallingConfig("NONE")),
        RequiredChatToolMode { RequiredFunctionName: { } name } => new GeminiToolConfig(new GeminiFunctionCallingConfig("ANY") { AllowedFunctionNames = [name] }),
        RequiredChatToolMode => new GeminiToolConfig(new GeminiFunctionCallingConfig("ANY")),
        AutoChatToolMode when options.Tools is { Count: > 0 } => new GeminiToolConfig(new GeminiFunctionCallingConfig("AUTO")),
        _ => null,
    };

    private static GeminiGenerationConfig? GenerationConfigOf(ChatOptions? options, bool includeThoughts)
    {
        if (options is null && !includeThoughts) return null;
        var json = options?.ResponseFormat as ChatResponseFormatJson;
        return new GeminiGenerationConfig
        {
            Temperature = options?.Temperature,
            TopP = options?.TopP,
            TopK = options?.TopK,
            MaxOutputTokens = options?.MaxOutputTokens,
            Seed = options?.Seed,
            StopSequences = options?.StopSequences is { Count: > 0 } stops ? stops : null,
            ResponseMimeType = json is null ? null : "application/json",
            ResponseSchema = json?.Schema is { } schema ? GeminiSchema.Convert(schema) : null,
            ThinkingConfig = includeThoughts ? new GeminiThinkingConfig(IncludeThoughts: true) : null,
        };
    }
}
