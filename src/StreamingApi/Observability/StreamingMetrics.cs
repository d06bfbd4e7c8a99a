using System.Diagnostics.Metrics;

namespace StreamingApi.Observability;

/// <summary>The service's own instruments, for operators and for the benchmark (meter <c>StreamingApi</c>).</summary>
public sealed class StreamingMetrics
{
    public const string MeterName = "StreamingApi";

    private readonly UpDownCounter<long> _activeRuns;
    private readonly CountsByName _eventsWritten = new();
    private readonly Histogram<double> _runDuration;
    private readonly Counter<long> _toolCancellations;
    private readonly Histogram<double> _cancellationLatency;
    private long _storeBatches;
    private long _storeEvents;

    public StreamingMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _activeRuns = meter.CreateUpDownCounter<long>("streamingapi.runs.active", "{run}", "Runs in progress.");
        // Observed rather than added to per frame: a frame costs one Interlocked.Increment, not an aggregator lookup.
        meter.CreateObservableCounter("streamingapi.events.written", () => _eventsWritten.Read().Select(count =>
            new Measurement<long>(count.Value, new KeyValuePair<string, object?>("event", count.Name))),
            "{event}", "SSE frames written to clients.");
        _runDuration = meter.CreateHistogram<double>("streamingapi.run.duration", "s", "Duration of agent runs.");
        _toolCancellations = meter.CreateCounter<long>("streamingapi.tool.cancellations", "{call}",
            "Tool calls whose cancellation token fired.");
        meter.CreateObservableCounter("streamingapi.store.batches", () => Interlocked.Read(ref _storeBatches), "{batch}",
            "Round trips in which runs' events were written to the shared run store (Redis).");
        meter.CreateObservableCounter("streamingapi.store.events", () => Interlocked.Read(ref _storeEvents), "{event}",
            "Events written to the shared run store (Redis).");
        _cancellationLatency = meter.CreateHistogram<double>("streamingapi.tool.cancellation.latency", "ms",
            "Time from the run being stopped (client gone or time limit) to a running tool's token firing.");
    }

    public void RunStarted(string endpoint) => _activeRuns.Add(1, new KeyValuePair<string, object?>("endpoint", endpoint));

    /// <summary>A run stops to wait for its client: not in progress until it goes on (<see cref="RunStarted"/> again, wherever it does).</summary>
    public void RunWaiting(string endpoint) => _activeRuns.Add(-1, new KeyValuePair<string, object?>("endpoint", endpoint));

    public void RunEnded(string endpoint, string status, TimeSpan duration)
    {
        var endpointTag = new KeyValuePair<string, object?>("endpoint", endpoint);
        _activeRuns.Add(-1, endpointTag);
        _runDuration.Record(duration.TotalSeconds, endpointTag, new KeyValuePair<string, object?>("status", status));
    }

    /// <summary>One round trip to the shared run store carried <paramref name="events"/> events.</summary>
    public void StoreBatchWritten(int events)
    {
        Interlocked.Increment(ref _storeBatches);
        Interlocked.Add(ref _storeEvents, events);
    }

    public void EventWritten(string eventType) => _eventsWritten.Increment(eventType);

    public void ToolCancelled(string tool, TimeSpan? sinceStopRequested)
    {
        var toolTag = new KeyValuePair<string, object?>("tool", tool);
        if (sinceStopRequested is { } latency) _cancellationLatency.Record(latency.TotalMilliseconds, toolTag);
        _toolCancellations.Add(1, toolTag);
    }
}
