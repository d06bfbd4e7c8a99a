using System.Text.Json;
using System.Text.RegularExpressions;
using StreamingApi.Agents;

namespace StreamingApi.Streaming;

/// <summary>
/// The tools a chat protocol's client offers to run itself (AG-UI's <c>tools</c>; the UI message stream's <c>tools</c>
/// in the request body), as both send them: <c>[{name, description?, parameters?}]</c>, <c>parameters</c> a JSON Schema
/// object. Checked the same way for both, and read into <see cref="ClientTool"/>s.
/// </summary>
public static partial class ClientToolList
{
    /// <summary>At most this many tools in one request.</summary>
    public const int MaxTools = 64;

    /// <summary>What is wrong with the list; nothing for a sound one, or none at all.</summary>
    public static IEnumerable<string> Problems(JsonElement? tools)
    {
        if (tools is not { } list || list.ValueKind == JsonValueKind.Null) yield break;
        if (list.ValueKind != JsonValueKind.Array)
        {
            yield return "tools must be an array of {name, description?, parameters?}.";
            yield break;
        }
        if (list.GetArrayLength() > MaxTools)
        {
            yield return $"tools may have at most {MaxTools} entries; it has {list.GetArrayLength()}.";
            yield break;
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tool in list.EnumerateArray())
        {
            if (tool.ValueKind != JsonValueKind.Object || !tool.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String
                || !Name().IsMatch(name.GetString()!))
                yield return "A tool must be an object whose name has 1 to 64 letters, digits, underscores or hyphens.";
            else if (!names.Add(name.GetString()!))
                yield return $"Tool {name.GetString()} is offered more than once.";
            else if (tool.TryGetProperty("description", out var description) && description.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                yield return $"The description of tool {name.GetString()} must be a string.";
            else if (tool.TryGetProperty("parameters", out var parameters) && parameters.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
                yield return $"The parameters of tool {name.GetString()} must be a JSON Schema object.";
        }
    }

    /// <summary>The tools (once validated); empty when there are none.</summary>
    public static IReadOnlyList<ClientTool> Read(JsonElement? tools) =>
        tools is { ValueKind: JsonValueKind.Array } list
            ? [.. list.EnumerateArray().Select(t => new ClientTool(t.GetProperty("name").GetString()!,
                t.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null,
                t.TryGetProperty("parameters", out var p) && p.ValueKind == JsonValueKind.Object ? p.Clone() : null))]
            : [];

    /// <summary>
    /// A client's result as the model gets it: JSON as it is, anything else as a JSON string (AG-UI's tool messages carry
    /// text, which may or may not be JSON).
    /// </summary>
    public static string OutputOf(string text)
    {
        try
        {
            using var parsed = JsonDocument.Parse(text);
            return parsed.RootElement.GetRawText();
        }
        catch (JsonException)
        {
            return JsonSerializer.Serialize(text);
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex Name();
}
