using System.Collections.Concurrent;

namespace StreamingApi.Limits;

/// <summary>The runs each caller has in progress on this instance (<c>Runs:Store</c> = <c>memory</c>).</summary>
public sealed class MemoryConcurrentRuns : IConcurrentRuns
{
    private readonly ConcurrentDictionary<string, int> _counts = new();

    public ValueTask<int> CountAsync(string key, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_counts.TryGetValue(key, out var count) ? count : 0);

    public ValueTask StartedAsync(string key, string runId)
    {
        _counts.AddOrUpdate(key, 1, (_, count) => count + 1);
        return ValueTask.CompletedTask;
    }

    public ValueTask EndedAsync(string key, string runId)
    {
        _counts.AddOrUpdate(key, 0, (_, count) => Math.Max(0, count - 1));
        _counts.TryRemove(KeyValuePair.Create(key, 0)); // only if nothing started meanwhile
        return ValueTask.CompletedTask;
    }
}
