namespace StreamingApi.Runs.Redis;

/// <summary>The Redis store's log lines: its connection, and runs failed for an instance that is gone.</summary>
internal static partial class RedisLog
{
    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Runs are kept in Redis at {Endpoint}")]
    public static partial void Connected(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 301, Level = LogLevel.Warning,
        Message = "Redis at {Endpoint} is not reachable: /health/ready answers 503 and no run starts until it is; trying again in the background")]
    public static partial void Unreachable(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "Lost the connection to Redis at {Endpoint} ({Failure}): runs on this instance fail")]
    public static partial void Lost(ILogger logger, string endpoint, string failure);

    [LoggerMessage(EventId = 303, Level = LogLevel.Information, Message = "Redis at {Endpoint} is reachable again")]
    public static partial void Restored(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 304, Level = LogLevel.Warning, Message = "Run {RunId}: its instance {Owner} is gone; marked failed (instance-lost)")]
    public static partial void InstanceLost(ILogger logger, string runId, string owner);

    [LoggerMessage(EventId = 305, Level = LogLevel.Warning,
        Message = "Run {RunId}: another instance marked it failed ({Reason}) while this instance was running it (this instance's lease had " +
                  "lapsed); it is stopped here, and its record and events in Redis are left as that instance wrote them")]
    public static partial void FailedElsewhere(ILogger logger, string runId, string reason);
}
