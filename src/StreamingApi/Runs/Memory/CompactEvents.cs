using System.Buffers;
using System.Buffers.Binary;
using StreamingApi.Agents;

namespace StreamingApi.Runs.Memory;

/// <summary>
/// The events every reader of a run has already taken, kept for a reader that comes back after them: serialized, as
/// their frames carry them (a byte for the type, then the JSON), one after the other in blocks of up to 4 KB. A held
/// text delta costs some thirty bytes and no object of its own, so the replay window neither weighs on memory nor
/// lingers in the garbage collector's oldest generation; an event is turned back into its record only when a reader
/// comes back for it.
/// </summary>
internal sealed class CompactEvents(RunEventCodec codec)
{
    private const int FirstBlockSize = 256;
    private const int BlockSize = 4096; // blocks double from the first up to this: a short run keeps a small one
    private const int EntryHeader = 5; // the type's index in AgentEventTypes.All, and the JSON's length

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_scratch;

    private readonly List<Block> _blocks = []; // oldest first; the last is being filled
    private long[] _positions = new long[16]; // where each held event's entry starts, counted over all blocks ever used
    private int _head;
    private int _count;
    private long _end;

    /// <summary>The oldest sequence held (equal to <see cref="NextSequence"/> when none is).</summary>
    public long FirstSequence { get; private set; } = 1;

    public long NextSequence => FirstSequence + _count;

    public int Count => _count;

    /// <summary>Keeps the event that comes after the last one kept (or, when none is, starts at its sequence).</summary>
    public void Add(long sequence, AgentEvent @event)
    {
        if (_count == 0) FirstSequence = sequence;
        else if (sequence != NextSequence) throw new InvalidOperationException($"Event {sequence} does not follow {NextSequence - 1}.");

        var scratch = t_scratch ??= new ArrayBufferWriter<byte>(256);
        scratch.ResetWrittenCount();
        codec.Encode(@event, scratch);
        var json = scratch.WrittenSpan;
        var size = EntryHeader + json.Length;

        var last = _blocks.Count > 0 ? _blocks[^1] : null;
        if (last is null || last.Start + last.Bytes.Length - _end < size)
        {
            var blockSize = last is null ? FirstBlockSize : Math.Min(BlockSize, last.Bytes.Length * 2);
            last = new Block(last is null ? _end : last.Start + last.Bytes.Length, new byte[Math.Max(blockSize, size)]);
            _blocks.Add(last);
            _end = last.Start;
        }
        var entry = last.Bytes.AsSpan((int)(_end - last.Start), size);
        entry[0] = (byte)IndexOf(@event.EventType);
        BinaryPrimitives.WriteInt32LittleEndian(entry[1..], json.Length);
        json.CopyTo(entry[EntryHeader..]);

        if (_count == _positions.Length) Resize(_positions.Length * 2);
        _positions[(_head + _count) % _positions.Length] = _end;
        _count++;
        _end += size;
    }

    /// <summary>The event at <paramref name="sequence"/>, made again from what was kept.</summary>
    public RunEvent Get(long sequence)
    {
        var position = _positions[(_head + (int)(sequence - FirstSequence)) % _positions.Length];
        foreach (var block in _blocks)
        {
            if (position >= block.Start + block.Bytes.Length) continue;
            var entry = block.Bytes.AsSpan((int)(position - block.Start));
            var length = BinaryPrimitives.ReadInt32LittleEndian(entry[1..]);
            return new RunEvent(sequence, codec.Decode(AgentEventTypes.All[entry[0]], entry.Slice(EntryHeader, length)));
        }
        throw new InvalidOperationException($"Event {sequence} is not held.");
    }

    /// <summary>Lets go of every event before <paramref name="sequence"/>, and of the blocks no held event is in.</summary>
    public void DropBefore(long sequence)
    {
        while (FirstSequence < sequence && _count > 0)
        {
            _head = (_head + 1) % _positions.Length;
            _count--;
            FirstSequence++;
        }
        var first = _count > 0 ? _positions[_head] : _end;
        var unused = 0;
        while (unused < _blocks.Count - 1 && _blocks[unused].Start + _blocks[unused].Bytes.Length <= first) unused++;
        if (unused > 0) _blocks.RemoveRange(0, unused);
        if (_count == 0) FirstSequence = Math.Max(FirstSequence, sequence);
    }

    private void Resize(int capacity)
    {
        var positions = new long[capacity];
        for (var i = 0; i < _count; i++) positions[i] = _positions[(_head + i) % _positions.Length];
        _positions = positions;
        _head = 0;
    }

    private static int IndexOf(string eventType)
    {
        var types = AgentEventTypes.All;
        for (var i = 0; i < types.Count; i++)
            if (ReferenceEquals(types[i], eventType) || types[i] == eventType) return i;
        throw new InvalidOperationException($"'{eventType}' is not an event type.");
    }

    private sealed record Block(long Start, byte[] Bytes);
}
