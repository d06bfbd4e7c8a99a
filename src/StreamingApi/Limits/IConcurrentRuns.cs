namespace StreamingApi.Limits;

/// <summary>The runs each caller has in progress, counted from their start to their end (not their request's).</summary>
public interface IConcurrentRuns
{
    ValueTask<int> CountAsync(string key, CancellationToken cancellationToken);

    ValueTask StartedAsync(string key, string runId);

    ValueTask EndedAsync(string key, string runId);
}
