using StreamingApi.Agents;
using StreamingApi.Runs;

namespace StreamingApi.VercelUi;

/// <summary>
/// A run's reader for one UI message stream response, which ends where the run starts to wait for the client's
/// decisions: the UI message stream has no waiting in it, the client's next request continues the message. Once the
/// mapping has sent approval requests with no decision yet, and nothing more has come, the run's record is looked at
/// (every <see cref="PollInterval"/>) until it says <see cref="RunStatus.Waiting"/> with no event after those read:
/// then the reader ends, as at a run's end. Another protocol's reader (ours) simply stays open.
/// </summary>
internal sealed class UntilWaitingReader(IRunReader inner, UiMessageStreamMapping mapping,
    Func<CancellationToken, ValueTask<RunRecord?>> find, TimeProvider time) : IRunReader
{
    /// <summary>How often the record is read while the run is about to wait: it waits right after its requests.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    private long _lastSequence;

    public string RunId => inner.RunId;

    public bool TryRead(out RunEvent entry)
    {
        if (!inner.TryRead(out entry)) return false;
        _lastSequence = entry.Sequence;
        return true;
    }

    public async ValueTask<bool> WaitToReadAsync()
    {
        if (mapping.RefusedApproval) return false; // the response ended with its error
        if (!mapping.IsWaiting) return await inner.WaitToReadAsync().ConfigureAwait(false);
        var waiting = inner.WaitToReadAsync().AsTask();
        while (!waiting.IsCompleted)
        {
            if (await find(CancellationToken.None).ConfigureAwait(false) is not { } record
                || record.Status == RunStatus.Waiting && record.LastSequence <= _lastSequence)
            {
                inner.Interrupt();
                await ((Task)waiting).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                return false;
            }
            await Task.WhenAny(waiting, Task.Delay(PollInterval, time)).ConfigureAwait(false);
        }
        return await waiting.ConfigureAwait(false);
    }

    public void Interrupt() => inner.Interrupt();

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
