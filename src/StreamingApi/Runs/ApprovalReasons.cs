namespace StreamingApi.Runs;

/// <summary>The reasons of denials that no person gave, named once.</summary>
public static class ApprovalReasons
{
    /// <summary>The approval's time ran out (<c>Runs:ApprovalTimeoutSeconds</c>).</summary>
    public const string TimedOut = "timeout";
}
