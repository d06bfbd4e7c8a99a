namespace StreamingApi.Runs;

/// <summary>
/// How a run's events are reshaped before they are numbered, as data rather than code: kept with the plan and, while
/// the run waits for its client, with its checkpoint (<see cref="RunCheckpoint.Shape"/>), so that a run goes on after
/// its wait, on any instance, shaped as it began.
/// </summary>
public sealed record RunShape
{
    /// <summary>Text deltas are coalesced into frames of at least this many characters (<see cref="BufferedText"/>); null: they are not.</summary>
    public int? MinChars { get; init; }

    /// <summary>A coalesced frame leaves once its oldest character has waited this long, even below <see cref="MinChars"/>.</summary>
    public int MaxDelayMs { get; init; }

    /// <summary>A <c>progress</c> event after every this many text chunks, and one at the end (<see cref="ProgressEvents"/>); null: none.</summary>
    public int? Every { get; init; }

    /// <summary>Progress every <paramref name="every"/> chunks; null when none is asked for.</summary>
    public static RunShape? WithProgress(int? every) => every is { } chunks ? new RunShape { Every = chunks } : null;

    /// <summary>The shaper that does it: text coalesced first, then progress counted over what is left.</summary>
    public EventShaper? ToShaper(TimeProvider time)
    {
        EventShaper? shaper = null;
        if (MinChars is { } minChars) shaper = BufferedText.Coalesce(minChars, TimeSpan.FromMilliseconds(MaxDelayMs), time);
        if (Every is { } every) shaper = shaper.Then(ProgressEvents.Every(every));
        return shaper;
    }
}
