namespace StreamingApi.Runs;

public static class EventShapers
{
    /// <summary>The first shaper's output reshaped by the second.</summary>
    public static EventShaper Then(this EventShaper? first, EventShaper second) =>
        first is null ? second : (events, run, cancellationToken) => second(first(events, run, cancellationToken), run, cancellationToken);
}
