using System.Runtime.CompilerServices;
using StreamingApi.Runs.Memory;

namespace StreamingApi.Runs.Redis;

/// <summary>
/// A reader, on the instance that writes the run, of the run's local log; when the run stops to wait for approvals, the
/// local log is handed off (whichever instance takes the run up writes it from then on), and this reader goes on from
/// the run's Redis stream after the last event it took, so its client notices nothing.
/// </summary>
internal sealed class RedisHandOffReader(IRunReader local, MemoryRunLog log, long after, Func<long, Task<IRunReader>> openElsewhere) : IRunReader
{
    private IRunReader _current = local;
    private long _last = after;
    private bool _switched;

    public string RunId => log.RunId;

    public bool TryRead(out RunEvent entry)
    {
        if (!_current.TryRead(out entry)) return false;
        _last = entry.Sequence;
        return true;
    }

    /// <summary>
    /// The local reader's wait, as it is, when it has events at once; otherwise a wait that goes on from the stream should
    /// the log be handed off meanwhile. A held stream waits once per event: that wait costs no allocation (its state
    /// machine is pooled; the local reader's own wait is its signal's, with no state machine).
    /// </summary>
    public ValueTask<bool> WaitToReadAsync()
    {
        var waiting = _current.WaitToReadAsync();
        if (!waiting.IsCompletedSuccessfully) return WaitOrSwitchAsync(waiting);
        // Its result is read once: a wait backed by a reused source must not be read again.
        return waiting.Result ? new ValueTask<bool>(true) : WaitOrSwitchAsync(new ValueTask<bool>(false));
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> WaitOrSwitchAsync(ValueTask<bool> waiting)
    {
        if (await waiting) return true;
        if (_switched || !log.IsHandedOff) return false;
        _switched = true;
        await _current.DisposeAsync();
        _current = await openElsewhere(_last);
        return await _current.WaitToReadAsync();
    }

    public void Interrupt() => _current.Interrupt();

    public ValueTask DisposeAsync() => _current.DisposeAsync();
}
