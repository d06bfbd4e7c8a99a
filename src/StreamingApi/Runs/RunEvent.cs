using StreamingApi.Agents;

namespace StreamingApi.Runs;

/// <summary>
/// An event of a run with its place in the run's sequence (counted from 1), and its JSON as made once, when the event
/// was appended: the SSE frame's <c>data</c>, the replay window's entry and the Redis stream's <c>d</c> are these same
/// bytes. An entry read back from bytes (the replay window, another instance's Redis stream) has no record until one
/// is asked for: <see cref="ToEvent"/> makes it then, so that our own protocol, which only copies the bytes, never does.
/// </summary>
public readonly struct RunEvent
{
    private readonly AgentEvent? _event;
    private readonly RunEventCodec? _codec;

    /// <summary>An event with no JSON of its own yet (a snapshot made for a reader, an event a reader makes): the writer serializes it.</summary>
    public RunEvent(long sequence, AgentEvent @event)
        : this(sequence, @event, ReadOnlyMemory<byte>.Empty)
    {
    }

    /// <summary>An event as appended: the record, and its JSON.</summary>
    public RunEvent(long sequence, AgentEvent @event, ReadOnlyMemory<byte> json)
    {
        Sequence = sequence;
        Type = @event.EventType;
        Json = json;
        _event = @event;
    }

    /// <summary>An event read back from its JSON alone: its record is decoded only if <see cref="ToEvent"/> is called.</summary>
    public RunEvent(long sequence, string type, ReadOnlyMemory<byte> json, RunEventCodec codec)
    {
        Sequence = sequence;
        Type = type;
        Json = json;
        _codec = codec;
    }

    public long Sequence { get; }

    /// <summary>The event's type (<see cref="AgentEventTypes"/>), known without its record.</summary>
    public string Type { get; }

    /// <summary>
    /// The event's JSON, exactly its frame's <c>data</c>; empty when it has none. The bytes are never written again
    /// (they are not pooled), so a reader may hold them for as long as it likes.
    /// </summary>
    public ReadOnlyMemory<byte> Json { get; }

    /// <summary>
    /// The event's record: the one appended, or, for an entry read back from bytes, one decoded from <see cref="Json"/>
    /// at each call (a struct keeps nothing): a caller that needs it twice keeps what it got.
    /// </summary>
    public AgentEvent ToEvent() => _event ?? _codec?.Decode(Type, Json.Span) ?? throw new InvalidOperationException("An empty entry has no event.");
}
