using System.Collections.Concurrent;
using Serilog.Core;
using Serilog.Events;

namespace StreamingApi.Tests.Infrastructure;

/// <summary>A Serilog sink that keeps every event, for asserting on the structured logs.</summary>
public sealed class LogCapture : ILogEventSink
{
    private readonly ConcurrentQueue<LogEvent> _events = new();

    public IReadOnlyList<LogEvent> Events => [.. _events];

    public void Emit(LogEvent logEvent) => _events.Enqueue(logEvent);

    /// <summary>The first event that matches, waiting (bounded) for lines written after the response ended.</summary>
    public async Task<LogEvent> WaitForAsync(Func<LogEvent, bool> match, TimeSpan? within = null)
    {
        LogEvent? found = null;
        await Eventually.TrueAsync(() => (found = _events.FirstOrDefault(match)) is not null, "a log event matched", within ?? TimeSpan.FromSeconds(10));
        return found!;
    }

    /// <summary>The one line per run (not the failure line, which also starts with the run and endpoint).</summary>
    public static bool IsRunEnded(LogEvent logEvent) =>
        logEvent.MessageTemplate.Text.StartsWith("Run {RunId} on {Endpoint} ({Agent}, {Model}) {Status}", StringComparison.Ordinal);

    /// <summary>The request log's one line per request (method, path, status, elapsed).</summary>
    public static bool IsRequestLine(LogEvent logEvent) =>
        logEvent.MessageTemplate.Text.StartsWith("HTTP {RequestMethod} {RequestPath} responded {StatusCode}", StringComparison.Ordinal);

    public static string? Scalar(LogEvent logEvent, string property) =>
        logEvent.Properties.TryGetValue(property, out var value) && value is ScalarValue { Value: var scalar } ? scalar?.ToString() : null;
}
