using System.Text;
using System.Text.Json;

namespace StreamingApi.AgUi;

/// <summary>One message of an AG-UI conversation. Only its role, content and (of a tool message) call are read; other fields are ignored.</summary>
public sealed class AgUiMessage
{
    public string? Id { get; set; }

    public string? Role { get; set; }

    public JsonElement? Content { get; set; }

    /// <summary>The call a <c>tool</c> message gives the result of.</summary>
    public string? ToolCallId { get; set; }

    /// <summary>The content's text: the string, or the text parts joined by a line break.</summary>
    public string Text()
    {
        if (Content is not { } content) return "";
        if (content.ValueKind == JsonValueKind.String) return content.GetString()!;
        if (content.ValueKind != JsonValueKind.Array) return "";
        var text = new StringBuilder();
        foreach (var part in content.EnumerateArray())
        {
            if (part.GetProperty("type").GetString() != "text") continue;
            if (text.Length > 0) text.Append('\n');
            text.Append(part.GetProperty("text").GetString());
        }
        return text.ToString();
    }
}
