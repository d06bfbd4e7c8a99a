namespace StreamingApi.Runs.Redis;

/// <summary>
/// The bytes of the writer's batch (<see cref="RedisWriter"/>): each run's packed events and entry ids, taken from chunks
/// kept from one batch to the next, so that a run's turn allocates none. The chunks are written again only once every
/// command of the batch is answered (Redis has read them); after a failure they are dropped instead, since a command that
/// failed may not have been sent yet.
/// </summary>
internal sealed class RedisBatchBytes
{
    private const int ChunkBytes = 64 * 1024;

    /// <summary>The most chunks kept for the next batch: a batch that needed more (a burst) does not hold its memory after.</summary>
    private const int KeptChunks = 16;

    private readonly List<byte[]> _chunks = [];
    private int _chunk;
    private int _used;

    /// <summary><paramref name="length"/> bytes of this batch's, to write once, that stay as written until <see cref="Reuse"/>.</summary>
    public ArraySegment<byte> Take(int length)
    {
        if (length > ChunkBytes) return new byte[length]; // a fast run's burst: its own array
        if (_chunk < _chunks.Count && _used + length > ChunkBytes) (_chunk, _used) = (_chunk + 1, 0);
        if (_chunk == _chunks.Count) _chunks.Add(new byte[ChunkBytes]);
        var taken = new ArraySegment<byte>(_chunks[_chunk], _used, length);
        _used += length;
        return taken;
    }

    /// <summary>Every command of the batch is answered: the next batch writes over its bytes.</summary>
    public void Reuse()
    {
        if (_chunks.Count > KeptChunks) _chunks.RemoveRange(KeptChunks, _chunks.Count - KeptChunks);
        (_chunk, _used) = (0, 0);
    }

    /// <summary>A command of the batch failed, perhaps before it was sent: its bytes are left to it, the next batch takes new ones.</summary>
    public void Drop()
    {
        _chunks.Clear();
        (_chunk, _used) = (0, 0);
    }
}
