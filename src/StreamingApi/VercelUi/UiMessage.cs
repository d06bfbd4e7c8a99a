using System.Text;
using System.Text.Json;

namespace StreamingApi.VercelUi;

/// <summary>One message of a UI conversation: <c>{id, role, parts}</c>. Parts are read by their type; other fields are ignored.</summary>
public sealed class UiMessage
{
    public string? Id { get; set; }

    public string? Role { get; set; }

    public List<JsonElement>? Parts { get; set; }

    /// <summary>The message's text parts, joined by a line break.</summary>
    public string Text()
    {
        var text = new StringBuilder();
        foreach (var part in Parts ?? [])
        {
            if (part.GetProperty("type").GetString() != "text") continue;
            if (text.Length > 0) text.Append('\n');
            text.Append(part.GetProperty("text").GetString());
        }
        return text.ToString();
    }
}
