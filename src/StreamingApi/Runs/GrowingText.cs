using System.Buffers;
using System.Text;
using StreamingApi.Agents;

namespace StreamingApi.Runs;

/// <summary>
/// Text that only grows at its end, kept as UTF-8 in blocks that double from 64 bytes up to 4 KB: a run's answer, held
/// for as long as the run is, in about one byte per character and without the copies a growing string would make. It
/// becomes a string only when someone asks for the run's snapshot. A character that a model's deltas split in two (a
/// surrogate pair) waits for its second half, so the text is exactly the deltas concatenated. Text it starts from (a
/// snapshot's, going on) is kept as the string it already is: it is neither encoded nor decoded again.
/// </summary>
internal sealed class GrowingText
{
    private const int FirstBlockSize = 64;
    private const int LargestBlockSize = 4096;

    private readonly List<Block> _blocks = [];
    private int _length; // bytes in all
    private readonly string _start = "";
    private char? _highSurrogate; // the first half of a character whose second half is in the next delta

    public GrowingText()
    {
    }

    public GrowingText(string start)
    {
        _start = SplitCharacters.Join(ref _highSurrogate, start);
    }

    public void Append(string text)
    {
        if (text.Length == 0) return;
        text = SplitCharacters.Join(ref _highSurrogate, text);
        if (text.Length == 0) return;
        var size = Encoding.UTF8.GetByteCount(text);
        var last = _blocks.Count > 0 ? _blocks[^1] : null;
        if (last is null || last.Bytes.Length - last.Used < size)
        {
            var next = last is null ? FirstBlockSize : Math.Min(LargestBlockSize, last.Bytes.Length * 2);
            last = new Block(new byte[Math.Max(next, size)]);
            _blocks.Add(last);
        }
        last.Used += Encoding.UTF8.GetBytes(text, last.Bytes.AsSpan(last.Used));
        _length += size;
    }

    public override string ToString()
    {
        var pending = _highSurrogate is { } high ? high.ToString() : "";
        if (_length == 0) return pending.Length == 0 ? _start : _start + pending;
        var bytes = ArrayPool<byte>.Shared.Rent(_length);
        try
        {
            var at = 0;
            foreach (var block in _blocks)
            {
                block.Bytes.AsSpan(0, block.Used).CopyTo(bytes.AsSpan(at));
                at += block.Used;
            }
            return _start + Encoding.UTF8.GetString(bytes, 0, at) + pending;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    private sealed class Block(byte[] bytes)
    {
        public byte[] Bytes { get; } = bytes;
        public int Used { get; set; }
    }
}
