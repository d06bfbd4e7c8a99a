namespace StreamingApi.Observability;

/// <summary>The structured log lines of runs. No prompt text is ever logged at Information.</summary>
public static partial class RunLogMessages
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information,
        Message = "Run {RunId} on {Endpoint} ({Agent}, {Model}) {Status} ({Reason}): {Chunks} chunks, {Chars} chars, {ToolCalls} tool calls in {ElapsedMs} ms")]
    public static partial void RunEnded(ILogger logger, string runId, string endpoint, string agent, string model, string status,
        string? reason, int chunks, long chars, int toolCalls, long elapsedMs);

    [LoggerMessage(EventId = 101, Level = LogLevel.Error, Message = "Run {RunId} on {Endpoint} failed")]
    public static partial void RunFailed(ILogger logger, Exception exception, string runId, string endpoint);

    [LoggerMessage(EventId = 102, Level = LogLevel.Debug, Message = "Run {RunId} started on {Endpoint} with a prompt of {PromptChars} chars: {Prompt}")]
    public static partial void RunStarting(ILogger logger, string runId, string endpoint, int promptChars, string prompt);

    [LoggerMessage(EventId = 103, Level = LogLevel.Information,
        Message = "Shutting down: {Runs} runs still going get {Seconds} s to finish before they are stopped")]
    public static partial void Draining(ILogger logger, int runs, double seconds);

    [LoggerMessage(EventId = 104, Level = LogLevel.Warning, Message = "Run {RunId} ended, but its last events could not be stored")]
    public static partial void EndNotStored(ILogger logger, Exception exception, string runId);

    [LoggerMessage(EventId = 105, Level = LogLevel.Information,
        Message = "Run {RunId} on {Endpoint} waits for {Approvals} approvals until {Deadline:O}, after {ElapsedMs} ms of work")]
    public static partial void RunWaiting(ILogger logger, string runId, string endpoint, int approvals, DateTimeOffset deadline, long elapsedMs);

    [LoggerMessage(EventId = 106, Level = LogLevel.Information, Message = "Run {RunId} goes on here: {Approved} approved, {Denied} denied")]
    public static partial void RunResumed(ILogger logger, string runId, int approved, int denied);
}
