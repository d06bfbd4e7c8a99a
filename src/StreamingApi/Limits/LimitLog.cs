namespace StreamingApi.Limits;

internal static partial class LimitLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} was not counted in (or out of) its caller's runs in progress")]
    public static partial void NotCounted(ILogger logger, Exception exception, string runId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The unused run slot {Reservation} was not released; it expires on its own")]
    public static partial void NotReleased(ILogger logger, Exception exception, string reservation);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Tokens} tokens of {LimitKey} were not added to its quota")]
    public static partial void NotBilled(ILogger logger, Exception exception, string limitKey, long tokens);
}
