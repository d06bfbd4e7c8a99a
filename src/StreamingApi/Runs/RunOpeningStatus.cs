namespace StreamingApi.Runs;

public enum RunOpeningStatus
{
    /// <summary><see cref="RunOpening.Reader"/> is open.</summary>
    Opened,

    /// <summary>No such run: it never existed here, or it expired.</summary>
    Unknown,

    /// <summary>The run has finished and has no event after the position asked for.</summary>
    Ended,
}
