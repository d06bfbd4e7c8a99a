using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace StreamingApi.Runs;

/// <summary>The runs of this instance that have not finished yet, by id.</summary>
public sealed class RunStore
{
    private readonly ConcurrentDictionary<string, Run> _active = new();

    public int ActiveCount => _active.Count;

    public Run Create(string endpoint)
    {
        while (true)
        {
            var run = new Run(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)), endpoint);
            if (_active.TryAdd(run.Id, run)) return run;
        }
    }

    public bool TryGet(string id, out Run? run) => _active.TryGetValue(id, out run);

    internal void Remove(Run run) => _active.TryRemove(run.Id, out _);
}
