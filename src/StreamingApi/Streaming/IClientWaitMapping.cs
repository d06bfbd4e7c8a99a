namespace StreamingApi.Streaming;

/// <summary>
/// A protocol's mapping whose responses end when the run waits for their client (AG-UI, the UI message stream): the
/// client answers what the run asked for (approvals, its own tools' results) in its next request, not on this stream.
/// Our own stream has no such mapping: it stays open while a run waits.
/// </summary>
public interface IClientWaitMapping
{
    /// <summary>Whether the run has asked this response's client for something it has not had yet.</summary>
    bool AwaitsClient { get; }

    /// <summary>Whether the response has ended: nothing read after this changes it.</summary>
    bool HasEnded { get; }
}
