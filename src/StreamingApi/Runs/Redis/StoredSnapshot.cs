using StackExchange.Redis;

namespace StreamingApi.Runs.Redis;

/// <summary>A run's snapshot as Redis keeps it, and the stream's entries after its sequence, as read together.</summary>
internal sealed record StoredSnapshot(RunSnapshot Snapshot, StreamEntry[] After);
