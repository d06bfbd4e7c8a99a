using System.Text.Json;

namespace StreamingApi.VercelUi;

/// <summary>
/// A result the client gives of its own tool in a tool part of the assistant's message (<c>addToolOutput</c>): the
/// part's state is <c>output-available</c> with its <c>output</c>, or <c>output-error</c> with its <c>errorText</c>.
/// </summary>
/// <param name="Output">The result as JSON text; for an error, <c>{"error": errorText}</c>.</param>
public sealed record UiToolOutput(string ToolCallId, string Output)
{
    /// <summary>Every tool part of the message with a result, in their order (the client's own tools' and the run's alike).</summary>
    public static IReadOnlyList<UiToolOutput> Of(UiMessage message)
    {
        var outputs = new List<UiToolOutput>();
        foreach (var part in message.Parts ?? [])
        {
            if (!UiApprovalResponse.IsTool(part) || !part.TryGetProperty("toolCallId", out var call) || call.ValueKind != JsonValueKind.String
                || !part.TryGetProperty("state", out var state)) continue;
            if (state.ValueKind == JsonValueKind.String && state.GetString() == "output-available" && part.TryGetProperty("output", out var output))
                outputs.Add(new UiToolOutput(call.GetString()!, output.GetRawText()));
            else if (state.ValueKind == JsonValueKind.String && state.GetString() == "output-error")
                outputs.Add(new UiToolOutput(call.GetString()!, JsonSerializer.Serialize(new
                {
                    error = part.TryGetProperty("errorText", out var error) && error.ValueKind == JsonValueKind.String ? error.GetString() : "The tool failed.",
                })));
        }
        return outputs;
    }
}
