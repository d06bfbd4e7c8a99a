using System.Collections.Concurrent;

namespace StreamingApi.Limits;

/// <summary>Each caller's tokens today on this instance (<c>Runs:Store</c> = <c>memory</c>); earlier days are dropped as they pass.</summary>
public sealed class MemoryTokenQuotas(TimeProvider time) : ITokenQuotas
{
    private readonly ConcurrentDictionary<(string Key, DateOnly Day), long> _used = new();
    private DateOnly _day;

    public ValueTask<long> UsedTodayAsync(string key, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_used.TryGetValue((key, Today()), out var used) ? used : 0);

    public ValueTask AddAsync(string key, long tokens)
    {
        var today = Today();
        _used.AddOrUpdate((key, today), tokens, (_, used) => used + tokens);
        if (_day == today) return ValueTask.CompletedTask;
        _day = today;
        foreach (var old in _used.Keys.Where(k => k.Day < today)) _used.TryRemove(old, out _);
        return ValueTask.CompletedTask;
    }

    private DateOnly Today() => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
}
