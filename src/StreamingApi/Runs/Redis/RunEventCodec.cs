using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using StreamingApi.Agents;

namespace StreamingApi.Runs.Redis;

/// <summary>
/// Events to and from the JSON kept in Redis: the same JSON as the SSE frames' <c>data</c>, so that a frame read on
/// another instance is byte for byte the frame the owner would have sent.
/// </summary>
public sealed class RunEventCodec(IOptions<JsonOptions> json)
{
    /// <summary>The record of each event type.</summary>
    internal static readonly IReadOnlyDictionary<string, Type> Types = new Dictionary<string, Type>
    {
        [AgentEventTypes.Run] = typeof(RunStarted),
        [AgentEventTypes.Text] = typeof(TextDelta),
        [AgentEventTypes.Reasoning] = typeof(ReasoningDelta),
        [AgentEventTypes.ToolCall] = typeof(ToolCallStarted),
        [AgentEventTypes.ToolResult] = typeof(ToolCallCompleted),
        [AgentEventTypes.Partial] = typeof(PartialOutput),
        [AgentEventTypes.Result] = typeof(FinalOutput),
        [AgentEventTypes.Progress] = typeof(ProgressReport),
        [AgentEventTypes.Error] = typeof(RunError),
        [AgentEventTypes.Done] = typeof(RunDone),
    };

    private JsonSerializerOptions Options => json.Value.SerializerOptions;

    public byte[] Encode(AgentEvent @event) => JsonSerializer.SerializeToUtf8Bytes(@event, @event.GetType(), Options);

    public AgentEvent Decode(string type, ReadOnlySpan<byte> data) =>
        Types.TryGetValue(type, out var record)
            ? (AgentEvent)JsonSerializer.Deserialize(data, record, Options)!
            : throw new JsonException($"'{type}' is not an event type.");
}
