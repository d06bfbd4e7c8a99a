namespace StreamingApi.Runs;

/// <summary>The outcome of <see cref="IRunStore.OpenAsync"/>.</summary>
public readonly record struct RunOpening(RunOpeningStatus Status, IRunReader? Reader = null)
{
    public static RunOpening Unknown => new(RunOpeningStatus.Unknown);

    public static RunOpening Ended => new(RunOpeningStatus.Ended);
}
