namespace StreamingApi.Runs;

/// <summary>The run a store keeps a log for, as the store sees it: told of its readers and of stops asked elsewhere.</summary>
public interface IRunOwner
{
    /// <summary>
    /// When its last reader leaves, the log keeps that reader's place (and waits for it as for a slow reader), so a
    /// client that comes back misses nothing.
    /// </summary>
    bool HoldsPlaceForReturningReader { get; }

    /// <summary>The number of the run's readers on this instance, whenever it changes. Must not block.</summary>
    void ReadersChanged(int readers);

    /// <summary>A stop asked for on another instance.</summary>
    void StopRequested(string reason);

    /// <summary>The store can no longer keep the run's events (its connection was lost): the run fails.</summary>
    void StoreFailed(Exception exception);
}
