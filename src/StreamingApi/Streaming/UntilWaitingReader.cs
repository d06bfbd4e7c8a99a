using StreamingApi.Agents;
using StreamingApi.Runs;

namespace StreamingApi.Streaming;

/// <summary>
/// A run's reader for a response that ends when the run waits for the client (<see cref="IClientWaitMapping"/>). The
/// log marks no wait, so once nothing more is to be read after the run asked the client for something, the run's record
/// is looked at, soon and then less often (up to every second), until it says the run waits with nothing after what was
/// read (the reader then ends: the mapping's <c>End</c> tells the client what the run waits for), or another event
/// comes (an answer given elsewhere meanwhile: the response goes on with it).
/// </summary>
/// <param name="findRun">Reads a run's record (<see cref="RunHost.FindAsync"/>): only once the run has asked the client for something.</param>
public sealed class UntilWaitingReader(IRunReader inner, IClientWaitMapping mapping, Func<string, CancellationToken, ValueTask<RunRecord?>> findRun,
    TimeProvider time) : IRunReader
{
    private static readonly TimeSpan FirstLook = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan LongestPause = TimeSpan.FromSeconds(1);

    private long _lastRead;
    private bool _sawWait;

    public string RunId => inner.RunId;

    public bool TryRead(out RunEvent entry)
    {
        if (!inner.TryRead(out entry)) return false;
        _lastRead = entry.Sequence;
        _sawWait = false;
        return true;
    }

    public async ValueTask<bool> WaitToReadAsync()
    {
        if (mapping.HasEnded) return false;
        if (!mapping.AwaitsClient) return await inner.WaitToReadAsync().ConfigureAwait(false);
        // The run waited when last looked at and nothing came since (TryRead found nothing): the response ends.
        if (_sawWait) return false;

        var waiting = inner.WaitToReadAsync().AsTask();
        var pause = FirstLook;
        using var stop = new CancellationTokenSource();
        try
        {
            while (true)
            {
                var look = Task.Delay(pause, time, stop.Token);
                if (await Task.WhenAny(waiting, look).ConfigureAwait(false) == waiting) return await waiting.ConfigureAwait(false);
                if (await findRun(RunId, CancellationToken.None).ConfigureAwait(false) is not { } record
                    || record.Status == RunStatus.Waiting && record.LastSequence <= _lastRead)
                {
                    // Once the pending wait is given up, an event that came meanwhile is read first (TryRead clears this).
                    _sawWait = true;
                    return await InterruptAsync(waiting).ConfigureAwait(false);
                }
                pause = pause * 2 < LongestPause ? pause * 2 : LongestPause;
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Ends the pending wait. Asked again until it ends: a reader may be between two readers of its own as it is asked (a
    /// run's local log handed off to the shared store's stream), and the first request then reaches the one it left.
    /// </summary>
    private async Task<bool> InterruptAsync(Task<bool> waiting)
    {
        var pause = FirstLook;
        while (true)
        {
            inner.Interrupt();
            if (await Task.WhenAny(waiting, Task.Delay(pause, time)).ConfigureAwait(false) == waiting) return await waiting.ConfigureAwait(false);
            pause = pause * 2 < LongestPause ? pause * 2 : LongestPause;
        }
    }

    public void Interrupt() => inner.Interrupt();

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
