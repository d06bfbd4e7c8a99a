using System.Runtime.CompilerServices;
using StreamingApi.Agents;

namespace StreamingApi.Runs;

/// <summary>Adds a <c>progress</c> event after every N text chunks, and one when the text is finished.</summary>
public static class ProgressEvents
{
    public static EventShaper Every(int chunks) => (events, run, cancellationToken) => Interleave(events, run.Stats, chunks, cancellationToken);

    private static async IAsyncEnumerable<AgentEvent> Interleave(IAsyncEnumerable<AgentEvent> events, RunStats stats, int every,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var sinceLast = 0;
        await foreach (var @event in events.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return @event;
            if (@event is TextDelta && ++sinceLast == every)
            {
                sinceLast = 0;
                yield return stats.ToProgress();
            }
        }
        yield return stats.ToProgress();
    }
}
