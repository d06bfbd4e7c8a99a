namespace StreamingApi.Runs;

/// <summary>One run's events as the run writes them. One writer: appends and the completion are never concurrent.</summary>
public interface IRunLog
{
    string RunId { get; }

    /// <summary>
    /// Numbers and stores the event. Waits, as a slow TCP peer would make a writer wait, while a reader has
    /// <see cref="RunOptions.MaxBacklogEvents"/> events still to take; <paramref name="cancellationToken"/> ends the wait.
    /// </summary>
    ValueTask AppendAsync(Agents.AgentEvent @event, CancellationToken cancellationToken);

    /// <summary>Appends the run's last events without waiting for readers, records its end, and ends every reader after them.</summary>
    ValueTask CompleteAsync(IReadOnlyList<Agents.AgentEvent> lastEvents, RunRecord end);
}
