namespace StreamingApi.Runs;

/// <summary>One reader of a run's events, from a position onwards, live until the run completes.</summary>
public interface IRunReader : IAsyncDisposable
{
    string RunId { get; }

    /// <summary>The next event, when one is waiting.</summary>
    bool TryRead(out RunEvent entry);

    /// <summary>
    /// Waits until an event may be read (true) or the run has completed and every event was read (false). It may also
    /// return true with nothing to read, after <see cref="Interrupt"/>.
    /// </summary>
    ValueTask<bool> WaitToReadAsync();

    /// <summary>Ends a pending <see cref="WaitToReadAsync"/> early, so the reader's owner can write something else.</summary>
    void Interrupt();
}
