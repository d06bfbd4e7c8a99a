using System.Text.Json;
using System.Text.Json.Nodes;

namespace StreamingApi.Models.Gemini;

/// <summary>
/// Turns the JSON schemas Semantic Kernel and Microsoft.Extensions.AI produce into the subset Gemini accepts
/// (an OpenAPI 3.0 schema object): types, formats, enums, descriptions, arrays, nested objects, required,
/// numeric and length bounds. <c>$ref</c>s are inlined, <c>["type","null"]</c> becomes <c>nullable</c>, and every
/// other keyword ($schema, additionalProperties, default, const, ...) is dropped, since Gemini rejects them.
/// </summary>
internal static class GeminiSchema
{
    private static readonly HashSet<string> CopiedAsIs =
        ["description", "format", "enum", "minItems", "maxItems", "minimum", "maximum", "minLength", "maxLength", "title"];

    public static JsonObject Convert(JsonElement schema) => Convert(schema, schema, depth: 0);

    private static JsonObject Convert(JsonElement node, JsonElement root, int depth)
    {
        if (depth > 32) throw new InvalidOperationException("The tool schema is nested too deeply for Gemini.");
        if (node.ValueKind != JsonValueKind.Object) return new JsonObject { ["type"] = "string" };
        if (node.TryGetProperty("$ref", out var reference)) return Convert(Resolve(root, reference.GetString()), root, depth + 1);

        var result = new JsonObject();
        var (type, nullable) = TypeOf(node);
        if (type is not null) result["type"] = type;
        if (nullable) result["nullable"] = true;

        foreach (var property in node.EnumerateObject())
        {
            switch (property.Name)
            {
                case "properties" when property.Value.ValueKind == JsonValueKind.Object:
                    var properties = new JsonObject();
                    foreach (var child in property.Value.EnumerateObject())
                        properties[child.Name] = Convert(child.Value, root, depth + 1);
                    result["properties"] = properties;
                    break;
                case "items":
                    result["items"] = Convert(property.Value, root, depth + 1);
                    break;
                case "required" when property.Value.ValueKind == JsonValueKind.Array:
                    result["required"] = JsonNode.Parse(property.Value.GetRawText());
                    break;
                case "anyOf" or "oneOf" when type is null:
                    // Gemini takes anyOf, but only of plain schemas: keep the non-null alternative when there is one.
                    var options = property.Value.EnumerateArray().Where(o => !IsNullType(o)).ToList();
                    if (options.Count == 1)
                    {
                        var single = Convert(options[0], root, depth + 1);
                        foreach (var (key, value) in single) result[key] = value?.DeepClone();
                        if (property.Value.GetArrayLength() > 1) result["nullable"] = true;
                    }
                    else
                    {
                        result["anyOf"] = new JsonArray(options.Select(o => (JsonNode?)Convert(o, root, depth + 1)).ToArray());
                    }
                    break;
                case var name when CopiedAsIs.Contains(name) && IsAcceptedValue(name, property.Value, type):
                    result[name] = JsonNode.Parse(property.Value.GetRawText());
                    break;
            }
        }

        if (result["type"] is null && result["anyOf"] is null)
            result["type"] = result["properties"] is not null ? "object" : "string";
        return result;
    }

    private static (string? Type, bool Nullable) TypeOf(JsonElement node)
    {
        if (!node.TryGetProperty("type", out var type)) return (null, false);
        if (type.ValueKind == JsonValueKind.String) return (type.GetString(), false);
        if (type.ValueKind != JsonValueKind.Array) return (null, false);
        var names = type.EnumerateArray().Select(t => t.GetString()).ToList();
        var nonNull = names.FirstOrDefault(n => n != "null");
        return (nonNull, names.Contains("null"));
    }

    private static bool IsNullType(JsonElement node) =>
        node.ValueKind == JsonValueKind.Object && node.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == "null";

    /// <summary>Gemini knows only a few formats; an unknown one is rejected, so it is dropped.</summary>
    private static bool IsAcceptedValue(string keyword, JsonElement value, string? type) => keyword switch
    {
        "format" => (type, value.GetString()) is ("string", "enum" or "date-time") or ("integer", "int32" or "int64") or ("number", "float" or "double"),
        "enum" => value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String),
        _ => true,
    };

    private static JsonElement Resolve(JsonElement root, string? reference)
    {
        if (reference is null || !reference.StartsWith("#/", StringComparison.Ordinal))
            throw new InvalidOperationException($"The schema reference '{reference}' cannot be sent to Gemini.");
        var node = root;
        foreach (var segment in reference[2..].Split('/'))
            node = node.GetProperty(segment.Replace("~1", "/").Replace("~0", "~"));
        return node;
    }
}
