using StreamingApi.Agents;

namespace StreamingApi.Runs.Memory;

/// <summary>
/// A run's held events by sequence number: appended at the end, let go from the front, in a circular buffer. A slot
/// holds the event's record, for the readers that map records, and its JSON, kept in the run's
/// <see cref="CompactEvents"/>, for the ones that only copy it; its sequence number is where it stands.
/// </summary>
/// <param name="firstSequence">The sequence of the first event it will hold (a run taken up after it waited goes on from there).</param>
internal sealed class EventRing(long firstSequence = 1)
{
    // Small to begin with: a reader takes each event as it comes, so a run seldom holds more than a few untaken.
    private Slot[] _items = new Slot[4];
    private int _head;
    private int _count;

    /// <summary>The oldest sequence still held (equal to <see cref="NextSequence"/> when none is).</summary>
    public long FirstSequence { get; private set; } = firstSequence;

    /// <summary>The sequence the next event will get.</summary>
    public long NextSequence => FirstSequence + _count;

    public void Add(AgentEvent @event, ReadOnlyMemory<byte> json)
    {
        if (_count == _items.Length) Resize(_items.Length * 2);
        _items[(_head + _count) % _items.Length] = new Slot(@event, json);
        _count++;
    }

    /// <summary>Copies the events from <paramref name="sequence"/> on (as many as fit) and says how many it copied.</summary>
    public int CopyFrom(long sequence, Span<RunEvent> destination)
    {
        var offset = (int)(sequence - FirstSequence);
        var count = Math.Min(destination.Length, _count - offset);
        for (var i = 0; i < count; i++)
        {
            var slot = _items[(_head + offset + i) % _items.Length];
            destination[i] = new RunEvent(sequence + i, slot.Event!, slot.Json);
        }
        return Math.Max(0, count);
    }

    /// <summary>Lets go of every event before <paramref name="sequence"/>.</summary>
    public void DropBefore(long sequence)
    {
        while (FirstSequence < sequence && _count > 0)
        {
            _items[_head] = default;
            _head = (_head + 1) % _items.Length;
            _count--;
            FirstSequence++;
        }
    }

    /// <summary>Gives back the room a finished run no longer needs.</summary>
    public void TrimExcess()
    {
        var needed = Math.Max(1, _count);
        if (_items.Length > 2 * needed) Resize(needed);
    }

    private void Resize(int capacity)
    {
        var items = new Slot[capacity];
        for (var i = 0; i < _count; i++) items[i] = _items[(_head + i) % _items.Length];
        _items = items;
        _head = 0;
    }

    private readonly record struct Slot(AgentEvent? Event, ReadOnlyMemory<byte> Json);
}
