namespace StreamingApi.Observability;

/// <summary>
/// Counters keyed by a name from a small set that is not known here (the event types of the protocols), cheap to add
/// to on every frame: a name is found by reference first (callers pass their constants), and a new name is added
/// under a lock, once. Readers see a snapshot of the names added so far.
/// </summary>
internal sealed class CountsByName
{
    private readonly Lock _adding = new();
    private Counter[] _counters = [];

    public void Increment(string name) => Interlocked.Increment(ref Find(name).Value);

    public IEnumerable<(string Name, long Value)> Read() =>
        Volatile.Read(ref _counters).Select(counter => (counter.Name, Interlocked.Read(ref counter.Value)));

    private Counter Find(string name)
    {
        var counters = Volatile.Read(ref _counters);
        for (var i = 0; i < counters.Length; i++)
            if (ReferenceEquals(counters[i].Name, name)) return counters[i];
        for (var i = 0; i < counters.Length; i++)
            if (string.Equals(counters[i].Name, name, StringComparison.Ordinal)) return counters[i];
        lock (_adding)
        {
            foreach (var counter in _counters)
                if (string.Equals(counter.Name, name, StringComparison.Ordinal)) return counter;
            var added = new Counter(string.Intern(name));
            Volatile.Write(ref _counters, [.. _counters, added]);
            return added;
        }
    }

    private sealed class Counter(string name)
    {
        public readonly string Name = name;
        public long Value;
    }
}
