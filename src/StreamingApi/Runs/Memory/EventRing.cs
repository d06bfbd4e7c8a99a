using StreamingApi.Agents;

namespace StreamingApi.Runs.Memory;

/// <summary>
/// A run's held events by sequence number: appended at the end, let go from the front, in a circular buffer. A slot
/// holds just the event; its sequence number is where it stands.
/// </summary>
internal sealed class EventRing
{
    private AgentEvent?[] _items = new AgentEvent?[16];
    private int _head;
    private int _count;

    /// <summary>The oldest sequence still held (equal to <see cref="NextSequence"/> when none is).</summary>
    public long FirstSequence { get; private set; } = 1;

    /// <summary>The sequence the next event will get.</summary>
    public long NextSequence => FirstSequence + _count;

    public void Add(AgentEvent @event)
    {
        if (_count == _items.Length) Resize(_items.Length * 2);
        _items[(_head + _count) % _items.Length] = @event;
        _count++;
    }

    /// <summary>Copies the events from <paramref name="sequence"/> on (as many as fit) and says how many it copied.</summary>
    public int CopyFrom(long sequence, Span<RunEvent> destination)
    {
        var offset = (int)(sequence - FirstSequence);
        var count = Math.Min(destination.Length, _count - offset);
        for (var i = 0; i < count; i++) destination[i] = new RunEvent(sequence + i, _items[(_head + offset + i) % _items.Length]!);
        return Math.Max(0, count);
    }

    /// <summary>Takes the oldest event out.</summary>
    public AgentEvent RemoveFirst()
    {
        var first = _items[_head]!;
        DropBefore(FirstSequence + 1);
        return first;
    }

    /// <summary>Lets go of every event before <paramref name="sequence"/>.</summary>
    public void DropBefore(long sequence)
    {
        while (FirstSequence < sequence && _count > 0)
        {
            _items[_head] = null;
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
        var items = new AgentEvent?[capacity];
        for (var i = 0; i < _count; i++) items[i] = _items[(_head + i) % _items.Length];
        _items = items;
        _head = 0;
    }
}
