using System.Buffers;
using System.Buffers.Binary;
using StreamingApi.Agents;

namespace StreamingApi.Runs.Memory;

/// <summary>
/// A run's events as JSON, made once when each is appended, one after the other in blocks of up to 4 KB (a byte for
/// the type, the JSON's length, then the JSON): what every reader's frame carries, what the Redis stream keeps, and,
/// behind the slowest reader, the replay window for a client that comes back after the last frame it saw. A held text
/// delta costs some thirty bytes and no object of its own, so the replay window neither weighs on memory nor lingers
/// in the garbage collector's oldest generation; an event is turned back into its record only when a reader that
/// needs the record (another protocol, a snapshot) comes back for it. A block is never written again once an entry is
/// in it, nor pooled: a reader, or the Redis writer, may hold an entry's bytes after the block was let go, and the
/// garbage collector frees the block once no one does.
/// </summary>
internal sealed class CompactEvents(RunEventCodec codec)
{
    private const int FirstBlockSize = 256;
    private const int BlockSize = 4096; // blocks double from the first up to this: a short run keeps a small one
    private const int EntryHeader = 5; // the type's index in AgentEventTypes.All, and the JSON's length

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_scratch;

    private readonly List<Block> _blocks = []; // oldest first; the last is being filled
    private int _count;

    /// <summary>The oldest sequence held (equal to <see cref="NextSequence"/> when none is).</summary>
    public long FirstSequence { get; private set; } = 1;

    public long NextSequence => FirstSequence + _count;

    public int Count => _count;

    /// <summary>
    /// The event's JSON, in this thread's scratch buffer: valid until the thread's next call, to be kept with
    /// <see cref="Add(long, string, ReadOnlySpan{byte})"/>. Made outside the log's lock.
    /// </summary>
    public ReadOnlySpan<byte> Encode(AgentEvent @event)
    {
        var scratch = t_scratch ??= new ArrayBufferWriter<byte>(256);
        scratch.ResetWrittenCount();
        codec.Encode(@event, scratch);
        return scratch.WrittenSpan;
    }

    /// <summary>Keeps the event that comes after the last one kept (or, when none is, starts at its sequence); gives its JSON as kept.</summary>
    public ReadOnlyMemory<byte> Add(long sequence, AgentEvent @event) => Add(sequence, @event.EventType, Encode(@event));

    /// <inheritdoc cref="Add(long, AgentEvent)"/>
    public ReadOnlyMemory<byte> Add(long sequence, string type, ReadOnlySpan<byte> json)
    {
        if (_count == 0) FirstSequence = sequence;
        else if (sequence != NextSequence) throw new InvalidOperationException($"Event {sequence} does not follow {NextSequence - 1}.");

        var size = EntryHeader + json.Length;
        var last = _blocks.Count > 0 ? _blocks[^1] : null;
        if (last is not null && last.NextSequence != sequence) // nothing held, and the next event is not the last one's successor
        {
            _blocks.Clear();
            last = null;
        }
        if (last is null || last.Bytes.Length - last.Used < size)
        {
            var blockSize = last is null ? FirstBlockSize : Math.Min(BlockSize, last.Bytes.Length * 2);
            last = new Block(sequence, new byte[Math.Max(blockSize, size)]);
            _blocks.Add(last);
        }
        var entry = last.Bytes.AsSpan(last.Used, size);
        entry[0] = (byte)IndexOf(type);
        BinaryPrimitives.WriteInt32LittleEndian(entry[1..], json.Length);
        json.CopyTo(entry[EntryHeader..]);
        var kept = new ReadOnlyMemory<byte>(last.Bytes, last.Used + EntryHeader, json.Length);
        last.Used += size;
        last.Count++;
        _count++;
        return kept;
    }

    /// <summary>The event at <paramref name="sequence"/>: its JSON as kept, its record made from it only if asked for.</summary>
    public RunEvent Get(long sequence)
    {
        if (sequence < FirstSequence || sequence >= NextSequence) throw new InvalidOperationException($"Event {sequence} is not held.");
        for (var i = _blocks.Count - 1; i >= 0; i--)
        {
            var block = _blocks[i];
            if (sequence < block.FirstSequence) continue;
            // Entries follow each other within a block: step over the ones before it (a block holds a few hundred at most).
            var position = 0;
            for (var skip = block.FirstSequence; skip < sequence; skip++)
                position += EntryHeader + BinaryPrimitives.ReadInt32LittleEndian(block.Bytes.AsSpan(position + 1));
            var length = BinaryPrimitives.ReadInt32LittleEndian(block.Bytes.AsSpan(position + 1));
            return new RunEvent(sequence, AgentEventTypes.All[block.Bytes[position]], block.Bytes.AsMemory(position + EntryHeader, length), codec);
        }
        throw new InvalidOperationException($"Event {sequence} is not held.");
    }

    /// <summary>Lets go of every event before <paramref name="sequence"/>, and of the blocks no held event is in.</summary>
    public void DropBefore(long sequence)
    {
        var dropped = (int)Math.Clamp(sequence - FirstSequence, 0, _count);
        FirstSequence += dropped;
        _count -= dropped;
        var unused = 0;
        while (unused < _blocks.Count - 1 && _blocks[unused + 1].FirstSequence <= FirstSequence) unused++;
        if (unused > 0) _blocks.RemoveRange(0, unused);
        if (_count == 0) FirstSequence = Math.Max(FirstSequence, sequence);
    }

    private static int IndexOf(string eventType)
    {
        var types = AgentEventTypes.All;
        for (var i = 0; i < types.Count; i++)
            if (ReferenceEquals(types[i], eventType) || types[i] == eventType) return i;
        throw new InvalidOperationException($"'{eventType}' is not an event type.");
    }

    /// <summary>Entries of consecutive events, from <see cref="FirstSequence"/> on.</summary>
    private sealed class Block(long firstSequence, byte[] bytes)
    {
        public long FirstSequence { get; } = firstSequence;
        public byte[] Bytes { get; } = bytes;
        public int Used { get; set; }
        public int Count { get; set; }
        public long NextSequence => FirstSequence + Count;
    }
}
