namespace StreamingApi.Observability;

/// <summary>The structured log lines of streams (the HTTP side of runs).</summary>
public static partial class StreamLogMessages
{
    [LoggerMessage(EventId = 200, Level = LogLevel.Information,
        Message = "Dropped a reader of run {RunId}: it took nothing for {Seconds:0.0} s")]
    public static partial void StalledReaderDropped(ILogger logger, string runId, double seconds);

    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "A reader resumed run {RunId} after event {Sequence}")]
    public static partial void Resumed(ILogger logger, string runId, long sequence);
}
