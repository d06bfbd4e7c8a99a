using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace StreamingApi.Models.OpenAI;

/// <summary>
/// Turns a Microsoft.Extensions.AI conversation and its options into a chat completions request, as
/// Microsoft.Extensions.AI.OpenAI did: text as strings, each tool result a <c>tool</c> message, the assistant's calls
/// with their arguments as JSON text, tools and a tool choice only when there are tools.
/// </summary>
internal static class OpenAIRequestBuilder
{
    private static readonly ChatRole Developer = new("developer");

    public static OpenAIRequest Build(IEnumerable<ChatMessage> messages, ChatOptions? options, string model, bool stream)
    {
        var tools = ToolsOf(options);
        var reasoning = options?.Reasoning?.Effort;
        return new OpenAIRequest
        {
            Model = options?.ModelId ?? model,
            Messages = MessagesOf(messages),
            Stream = stream ? true : null,
            StreamOptions = stream ? new OpenAIStreamOptions(IncludeUsage: true) : null,
            Tools = tools,
            ToolChoice = tools is null ? null : ToolChoiceOf(options!.ToolMode),
            ParallelToolCalls = tools is null ? null : options!.AllowMultipleToolCalls,
            ResponseFormat = ResponseFormatOf(options?.ResponseFormat),
            Temperature = options?.Temperature,
            TopP = options?.TopP,
            FrequencyPenalty = options?.FrequencyPenalty,
            PresencePenalty = options?.PresencePenalty,
            Seed = options?.Seed,
            Stop = options?.StopSequences is { Count: > 0 } stops ? stops : null,
            MaxCompletionTokens = options?.MaxOutputTokens,
            ReasoningEffort = reasoning switch
            {
                null => null,
                ReasoningEffort.None => "none",
                ReasoningEffort.Low => "low",
                ReasoningEffort.Medium => "medium",
                _ => "high",
            },
        };
    }

    private static List<OpenAIMessage> MessagesOf(IEnumerable<ChatMessage> messages)
    {
        var result = new List<OpenAIMessage>();
        foreach (var message in messages)
        {
            if (message.Role == ChatRole.Tool)
            {
                foreach (var content in message.Contents)
                    if (content is FunctionResultContent output)
                        result.Add(new OpenAIMessage { Role = "tool", ToolCallId = output.CallId, Content = ResultOf(output) });
            }
            else if (message.Role == ChatRole.Assistant)
            {
                var calls = new List<OpenAIToolCall>();
                foreach (var content in message.Contents)
                    if (content is FunctionCallContent call)
                        calls.Add(new OpenAIToolCall(call.CallId, new OpenAIFunctionCall(call.Name, ArgumentsOf(call))));
                var text = TextOf(message.Contents);
                result.Add(new OpenAIMessage
                {
                    Role = "assistant",
                    Name = message.AuthorName,
                    Content = text.Length > 0 || calls.Count == 0 ? text : null,
                    ToolCalls = calls.Count > 0 ? calls : null,
                });
            }
            else
            {
                var role = message.Role == ChatRole.System ? "system" : message.Role == Developer ? "developer" : "user";
                result.Add(new OpenAIMessage { Role = role, Name = message.AuthorName, Content = ContentOf(message.Contents) });
            }
        }
        return result;
    }

    /// <summary>The text of a message, or its text and images as content parts when it has images.</summary>
    private static JsonNode ContentOf(IList<AIContent> contents)
    {
        var parts = new JsonArray();
        var images = false;
        foreach (var content in contents)
        {
            switch (content)
            {
                case UriContent uri when uri.HasTopLevelMediaType("image"):
                    parts.Add(new JsonObject { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = uri.Uri.ToString() } });
                    images = true;
                    break;
                case DataContent data when data.HasTopLevelMediaType("image"):
                    parts.Add(new JsonObject { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = data.Uri } });
                    images = true;
                    break;
                case TextContent text:
                    parts.Add(new JsonObject { ["type"] = "text", ["text"] = text.Text });
                    break;
            }
        }
        return images ? parts : JsonValue.Create(TextOf(contents));
    }

    private static string TextOf(IList<AIContent> contents)
    {
        string? single = null;
        System.Text.StringBuilder? many = null;
        foreach (var content in contents)
        {
            if (content is not TextContent { Text.Length: > 0 } text) continue;
            if (single is null) single = text.Text;
            else (many ??= new System.Text.StringBuilder(single)).Append(text.Text);
        }
        return many?.ToString() ?? single ?? "";
    }

    private static string ArgumentsOf(FunctionCallContent call) =>
        JsonSerializer.Serialize(call.Arguments, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(IDictionary<string, object?>)));

    /// <summary>A string result as it is, anything else as JSON; a result that cannot be written is sent empty.</summary>
    private static JsonNode ResultOf(FunctionResultContent output)
    {
        var text = output.Result as string;
        if (text is null && output.Result is not null)
        {
            try
            {
                text = JsonSerializer.Serialize(output.Result, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(object)));
            }
            catch (NotSupportedException)
            {
                // not serializable: sent empty, as before
            }
        }
        return JsonValue.Create(text ?? "");
    }

    private static List<OpenAITool>? ToolsOf(ChatOptions? options)
    {
        if (options?.Tools is not { Count: > 0 } declared) return null;
        var tools = new List<OpenAITool>(declared.Count);
        foreach (var tool in declared)
        {
            if (tool is not AIFunctionDeclaration function) continue;
            var parameters = function.JsonSchema.Deserialize(OpenAIJsonContext.Default.OpenAIParameters) ?? new OpenAIParameters();
            tools.Add(new OpenAITool(new OpenAIFunction(function.Name, function.Description, parameters)));
        }
        return tools.Count > 0 ? tools : null;
    }

    private static JsonNode ToolChoiceOf(ChatToolMode? mode) => mode switch
    {
        NoneChatToolMode => "none",
        RequiredChatToolMode { RequiredFunctionName: { } name } => new JsonObject
        {
            ["type"] = "function",
            ["function"] = new JsonObject { ["name"] = name },
        },
        RequiredChatToolMode => "required",
        _ => "auto",
    };

    private static JsonObject? ResponseFormatOf(ChatResponseFormat? format) => format switch
    {
        ChatResponseFormatText => new JsonObject { ["type"] = "text" },
        ChatResponseFormatJson { Schema: { } schema } json => new JsonObject { ["type"] = "json_schema", ["json_schema"] = JsonSchemaOf(json, schema) },
        ChatResponseFormatJson => new JsonObject { ["type"] = "json_object" },
        _ => null,
    };

    private static JsonObject JsonSchemaOf(ChatResponseFormatJson json, JsonElement schema)
    {
        var result = new JsonObject { ["name"] = json.SchemaName ?? "json_schema" };
        if (json.SchemaDescription is { } description) result["description"] = description;
        result["schema"] = JsonNode.Parse(schema.GetRawText());
        return result;
    }
}
