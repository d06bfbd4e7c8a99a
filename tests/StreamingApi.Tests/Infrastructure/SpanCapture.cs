using System.Collections;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace StreamingApi.Tests.Infrastructure;

/// <summary>
/// The spans an app ends, through OpenTelemetry's in-memory exporter: the app gets a tracer provider as it would with
/// an OTLP endpoint, with this collection as its only exporter. Thread-safe: spans end on the runs' threads.
/// </summary>
public sealed class SpanCapture : ICollection<Activity>
{
    private readonly List<Activity> _spans = [];

    public IReadOnlyList<Activity> All
    {
        get
        {
            lock (_spans) return [.. _spans];
        }
    }

    /// <summary>The ended spans of one trace.</summary>
    public IReadOnlyList<Activity> Trace(ActivityTraceId traceId) => All.Where(s => s.TraceId == traceId).ToList();

    /// <summary>The ended run span of the run with that id, or null.</summary>
    public Activity? Run(string runId) =>
        All.FirstOrDefault(s => s.OperationName.StartsWith("invoke_agent ", StringComparison.Ordinal) && (s.GetTagItem("streamingapi.run.id") as string) == runId);

    public Task<Activity> RunEndedAsync(string runId) => WaitForAsync(() => Run(runId), $"run {runId}'s span has ended");

    public async Task<T> WaitForAsync<T>(Func<T?> find, string what) where T : class
    {
        T? found = null;
        await Eventually.TrueAsync(() => (found = find()) is not null, what, TimeSpan.FromSeconds(30));
        return found!;
    }

    public void Add(Activity item)
    {
        lock (_spans) _spans.Add(item);
    }

    public void Clear()
    {
        lock (_spans) _spans.Clear();
    }

    public bool Contains(Activity item)
    {
        lock (_spans) return _spans.Contains(item);
    }

    public void CopyTo(Activity[] array, int arrayIndex)
    {
        lock (_spans) _spans.CopyTo(array, arrayIndex);
    }

    public bool Remove(Activity item)
    {
        lock (_spans) return _spans.Remove(item);
    }

    public int Count
    {
        get
        {
            lock (_spans) return _spans.Count;
        }
    }

    public bool IsReadOnly => false;

    public IEnumerator<Activity> GetEnumerator() => All.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

public static class SpanCaptureExtensions
{
    /// <summary>The app records spans into <paramref name="spans"/>.</summary>
    public static StreamingApiApplication WithSpans(this StreamingApiApplication app, SpanCapture spans) =>
        app.WithServices(services => services.AddOpenTelemetry().WithTracing(tracing => tracing.AddInMemoryExporter(spans)));
}

/// <summary>
/// For tests that record spans. A tracer provider listens to the activity sources of every app in the process (they
/// share names), and its listener makes every other app create spans too: these tests run alone, after the parallel ones.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessTracesCollection
{
    public const string Name = "process-wide traces";
}
