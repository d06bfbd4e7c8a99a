using StreamingApi.Agents;

namespace StreamingApi.Runs;

/// <summary>
/// Another instance ended the run in the shared store while its owner still ran it (it found the owner's lease expired,
/// the owner having stalled or lost Redis for a while): the owner stops it, with the error the store has, so that its
/// own readers end the run as every other reader does.
/// </summary>
public sealed class RunFailedElsewhereException(string runId, RunError error)
    : Exception($"Another instance marked run {runId} failed ({error.Type}) while this instance was running it.")
{
    public RunError Error { get; } = error;
}
