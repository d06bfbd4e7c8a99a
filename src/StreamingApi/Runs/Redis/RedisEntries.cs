using System.Buffers.Binary;
using System.Text;
using StackExchange.Redis;

namespace StreamingApi.Runs.Redis;

/// <summary>
/// How a stream entry holds its events. A run's writer packs each entry's consecutive events into one value: field
/// <c>n</c> their count, field <c>e</c> each event's type (a length byte, then its UTF-8 name) and JSON (a 4-byte
/// little-endian length, then the bytes), in order. One value per entry rather than two fields per event costs Redis
/// and the client one bulk string per entry instead of four per event. An entry may also hold events as pairs of
/// <c>t</c> (type) and <c>d</c> (JSON) fields, one pair per event: the form the script that fails a run adds, and
/// the one entries had before; readers take both.
/// </summary>
internal static class RedisEntries
{
    private static readonly RedisValue CountField = "n";
    private static readonly RedisValue EventsField = "e";

    /// <summary>The fields of an entry that holds <paramref name="count"/> events packed into <paramref name="packed"/>.</summary>
    public static NameValueEntry[] Packed(int count, byte[] packed) => [new(CountField, count), new(EventsField, packed)];

    /// <summary>The bytes one event takes in a packed entry.</summary>
    public static int SizeOf(string type, int dataLength) => 1 + Encoding.UTF8.GetByteCount(type) + 4 + dataLength;

    /// <summary>Writes one event at <paramref name="offset"/> of a packed entry's bytes; gives the offset after it.</summary>
    public static int Write(byte[] packed, int offset, string type, ReadOnlySpan<byte> data)
    {
        var typeLength = Encoding.UTF8.GetBytes(type, packed.AsSpan(offset + 1));
        packed[offset] = checked((byte)typeLength);
        offset += 1 + typeLength;
        BinaryPrimitives.WriteInt32LittleEndian(packed.AsSpan(offset), data.Length);
        offset += 4;
        data.CopyTo(packed.AsSpan(offset));
        return offset + data.Length;
    }

    /// <summary>How many events the entry holds.</summary>
    public static int CountOf(StreamEntry entry) =>
        entry.Values is [{ Name: var name, Value: var count }, ..] && name == CountField ? (int)count : entry.Values.Length / 2;

    /// <summary>
    /// The type and JSON of the entry's events, in order, from its <paramref name="skip"/>th (0 for the first). The JSON
    /// is a slice of the entry's own bytes, not a copy.
    /// </summary>
    public static IEnumerable<(string Type, ReadOnlyMemory<byte> Data)> EventsOf(StreamEntry entry, long skip)
    {
        var fields = entry.Values;
        if (fields is [{ Name: var name }, { Value: var value }] && name == CountField)
        {
            var packed = (ReadOnlyMemory<byte>)value;
            var offset = 0;
            for (long index = 0; offset < packed.Length; index++)
            {
                var (type, data, next) = Read(packed, offset);
                offset = next;
                if (index >= skip) yield return (type, data);
            }
            yield break;
        }
        for (var i = (int)(skip * 2); i + 1 < fields.Length; i += 2)
            yield return (RunEventCodec.TypeOf(((ReadOnlyMemory<byte>)fields[i].Value).Span), (ReadOnlyMemory<byte>)fields[i + 1].Value);
    }

    private static (string Type, ReadOnlyMemory<byte> Data, int Next) Read(ReadOnlyMemory<byte> packed, int offset)
    {
        var span = packed.Span;
        var typeLength = span[offset];
        var type = RunEventCodec.TypeOf(span.Slice(offset + 1, typeLength));
        offset += 1 + typeLength;
        var length = BinaryPrimitives.ReadInt32LittleEndian(span[offset..]);
        offset += 4;
        return (type, packed.Slice(offset, length), offset + length);
    }
}
