using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace StreamingApi.Agents.Output;

/// <summary>
/// Reads the complete part of a JSON document that is still being generated: every value whose last token
/// has arrived, inside the objects and arrays that are still open. A string still being written is left out
/// until its closing quote arrives.
/// </summary>
public static class PartialJson
{
    public static JsonNode? Parse(string text)
    {
        var start = text.IndexOf('{');
        if (start < 0) return null;

        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(text[start..]), isFinalBlock: false, state: default);
        var open = new Stack<JsonNode>();
        JsonNode? root = null;
        string? property = null;
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        JsonNode container = reader.TokenType == JsonTokenType.StartObject ? new JsonObject() : new JsonArray();
                        if (open.Count == 0) root ??= container;
                        else Add(open.Peek(), ref property, container);
                        open.Push(container);
                        break;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        open.Pop();
                        if (open.Count == 0) return root;
                        break;
                    case JsonTokenType.PropertyName:
                        property = reader.GetString();
                        break;
                    default:
                        if (open.Count > 0) Add(open.Peek(), ref property, JsonValueOf(ref reader));
                        break;
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON (yet): keep what was read before the bad token.
        }
        return root;
    }

    private static void Add(JsonNode parent, ref string? property, JsonNode? value)
    {
        if (parent is JsonArray array) array.Add(value);
        else if (property is not null) parent[property] = value;
        property = null;
    }

    private static JsonNode? JsonValueOf(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => JsonValue.Create(reader.GetString()),
        JsonTokenType.Number => JsonValue.Create(reader.GetDecimal()),
        JsonTokenType.True => JsonValue.Create(true),
        JsonTokenType.False => JsonValue.Create(false),
        _ => null,
    };
}
