using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using StreamingApi.Agents;

namespace StreamingApi.Runs;

/// <summary>
/// Events to and from JSON, as kept out of their objects (in Redis, and in a run's replay window): the same JSON as
/// the SSE frames' <c>data</c>, so that a frame made from a kept event is byte for byte the frame first sent.
/// </summary>
public sealed class RunEventCodec(IOptions<JsonOptions> json)
{
    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <summary>The record of each event type.</summary>
    internal static readonly IReadOnlyDictionary<string, Type> Types = new Dictionary<string, Type>
    {
        [AgentEventTypes.Run] = typeof(RunStarted),
        [AgentEventTypes.Snapshot] = typeof(RunSnapshot),
        [AgentEventTypes.Text] = typeof(TextDelta),
        [AgentEventTypes.Reasoning] = typeof(ReasoningDelta),
        [AgentEventTypes.ToolCall] = typeof(ToolCallStarted),
        [AgentEventTypes.ApprovalRequest] = typeof(ApprovalRequested),
        [AgentEventTypes.Approval] = typeof(ApprovalDecided),
        [AgentEventTypes.ToolResult] = typeof(ToolCallCompleted),
        [AgentEventTypes.Partial] = typeof(PartialOutput),
        [AgentEventTypes.Result] = typeof(FinalOutput),
        [AgentEventTypes.Progress] = typeof(ProgressReport),
        [AgentEventTypes.Error] = typeof(RunError),
        [AgentEventTypes.Done] = typeof(RunDone),
    };

    /// <summary>Each type's name in UTF-8, by its index in <see cref="AgentEventTypes.All"/>.</summary>
    private static readonly byte[][] TypeNames = [.. AgentEventTypes.All.Select(System.Text.Encoding.UTF8.GetBytes)];

    private JsonSerializerOptions Options => json.Value.SerializerOptions;

    public byte[] Encode(AgentEvent @event) => JsonSerializer.SerializeToUtf8Bytes(@event, @event.GetType(), Options);

    /// <summary>Writes the event's JSON to <paramref name="destination"/>, allocating nothing of its own.</summary>
    public void Encode(AgentEvent @event, IBufferWriter<byte> destination)
    {
        var writer = t_writer ??= new Utf8JsonWriter(destination, new JsonWriterOptions { Encoder = Options.Encoder, SkipValidation = true });
        writer.Reset(destination);
        JsonSerializer.Serialize(writer, @event, @event.GetType(), Options);
    }

    /// <summary>A snapshot's tool calls, for a store that keeps them apart from the rest of the snapshot (Redis).</summary>
    public byte[] EncodeToolCalls(IReadOnlyList<ToolCallState> calls) => JsonSerializer.SerializeToUtf8Bytes(calls, Options);

    public IReadOnlyList<ToolCallState> DecodeToolCalls(ReadOnlySpan<byte> data) =>
        JsonSerializer.Deserialize<List<ToolCallState>>(data, Options) ?? [];

    /// <summary>The type named by <paramref name="name"/> (UTF-8), as the one string <see cref="AgentEventTypes"/> holds for it.</summary>
    public static string TypeOf(ReadOnlySpan<byte> name)
    {
        for (var i = 0; i < TypeNames.Length; i++)
            if (name.SequenceEqual(TypeNames[i])) return AgentEventTypes.All[i];
        throw new JsonException($"'{System.Text.Encoding.UTF8.GetString(name)}' is not an event type.");
    }

    public AgentEvent Decode(string type, ReadOnlySpan<byte> data) =>
        Types.TryGetValue(type, out var record)
            ? (AgentEvent)JsonSerializer.Deserialize(data, record, Options)!
            : throw new JsonException($"'{type}' is not an event type.");
}
