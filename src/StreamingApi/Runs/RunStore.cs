using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace StreamingApi.Runs;

/// <summary>How runs keep their events (section <c>Runs</c>).</summary>
public sealed class RunOptions
{
    /// <summary>How many of a run's latest events stay held for a reader that comes back, beyond those not yet read.</summary>
    public int ReplayWindow { get; set; } = RunEventLog.DefaultReplayWindow;
}

/// <summary>The runs of this instance that have not finished yet, by id.</summary>
public sealed class RunStore(IOptions<RunOptions> options)
{
    private readonly ConcurrentDictionary<string, Run> _active = new();

    public int ActiveCount => _active.Count;

    public Run Create(string endpoint)
    {
        while (true)
        {
            var run = new Run(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)), endpoint, options.Value.ReplayWindow);
            if (_active.TryAdd(run.Id, run)) return run;
        }
    }

    public bool TryGet(string id, out Run? run) => _active.TryGetValue(id, out run);

    internal void Remove(Run run) => _active.TryRemove(run.Id, out _);
}
