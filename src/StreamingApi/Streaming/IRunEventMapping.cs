using StreamingApi.Runs;

namespace StreamingApi.Streaming;

/// <summary>
/// Another wire protocol on the same SSE writer (<see cref="RunEventStream"/>): one response's mapping from our run
/// events to that protocol's messages. Each message goes out as one frame with a <c>data:</c> line only (no
/// <c>event:</c>, <c>id:</c> or <c>retry:</c>): an object as one line of JSON, a string as it is. The writer keeps
/// its flushing, heartbeats and stalled-reader policy for every protocol. A mapping keeps state (what is open),
/// knows nothing about HTTP, and is tested without it.
/// </summary>
public interface IRunEventMapping
{
    /// <summary>
    /// The protocol's messages for one run event (none, one or several), in order. A mapping needs the record:
    /// <see cref="RunEvent.ToEvent"/> decodes it from the event's JSON when the entry came as bytes alone (replayed, or read
    /// from another instance), at each call, so a mapping reads it once.
    /// </summary>
    void Map(RunEvent entry, ICollection<object> messages);

    /// <summary>The messages that follow the run's last event, once the reader has it.</summary>
    void End(ICollection<object> messages);
}
