using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using StreamingApi.Observability;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Streams;

[Collection(ProcessMetricsCollection.Name)] // reads /metrics, which counts the runs of every test app in the process
public sealed class CancellationTests
{
    [Fact]
    public async Task ClientDisconnectingDuringASlowToolFiresThatToolsToken()
    {
        await using var app = new StreamingApiApplication().With("Tools:SalesDelayMs", "60000");
        var client = app.CreateClient();
        using var cancellations = new MetricCollector<long>(app.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
            StreamingMetrics.MeterName, "streamingapi.tool.cancellations");

        using (var response = await client.OpenAsync("/stream/analysis?prompt=Analyze%20our%202024%20sales"))
        {
            await using var frames = response.ReadFramesAsync().GetAsyncEnumerator();
            while (await frames.MoveNextAsync() && frames.Current.Type != "tool-call") { }
            Assert.Equal("fetch_sales_data", frames.Current["name"].GetString());
            Assert.Equal(1, app.Runs.ActiveCount);
        } // the client goes away mid-tool: the socket closes

        await cancellations.WaitForMeasurementsAsync(1, TimeSpan.FromSeconds(10));
        Assert.Contains(cancellations.GetMeasurementSnapshot(), m => Equals(m.Tags["tool"], "fetch_sales_data"));
        await app.WaitForNoActiveRunsAsync();

        // Operators (and the bench) see the same through Prometheus.
        var metrics = "";
        await Eventually.TrueAsync(async () => Regex.IsMatch(metrics = await client.GetStringAsync("/metrics"), @"streamingapi_runs_active\{[^}]*\} 0\b"),
            "the metrics show no active run", TimeSpan.FromSeconds(5));
        Assert.Contains("streamingapi_tool_cancellations_total{", metrics);
        Assert.Matches(@"streamingapi_tool_cancellation_latency_milliseconds_count\{[^}]*\} [1-9]", metrics);
        Assert.Matches(@"streamingapi_runs_active\{[^}]*\} 0\b", metrics);
        var ended = await app.Logs.WaitForAsync(LogCapture.IsRunEnded);
        Assert.Equal("cancelled", LogCapture.Scalar(ended, "Status"));
        Assert.Equal("client-disconnected", LogCapture.Scalar(ended, "Reason"));
    }

    [Fact]
    public async Task MaxSecondsEndsALongRunWithDoneCancelledTimeLimit()
    {
        await using var app = new StreamingApiApplication().With("OfflineModel:TokensPerSecond", "50");
        var frames = await app.CreateClient().GetFramesAsync("/stream/text?prompt=a%20long%20essay%20on%20tides&maxSeconds=1");

        var done = frames[^1];
        Assert.Equal("done", done.Type);
        Assert.Equal("cancelled", done["status"].GetString());
        Assert.Equal("time-limit", done["reason"].GetString());
        Assert.InRange(done["elapsedMs"].GetInt64(), 900, 10_000);
        Assert.True(frames.Count(f => f.Type == "text") > 5);
        await app.WaitForNoActiveRunsAsync();
    }

    [Fact]
    public async Task MaxSecondsAlsoStopsARunningTool()
    {
        await using var app = new StreamingApiApplication().With("Tools:SalesDelayMs", "60000");
        using var cancellations = new MetricCollector<long>(app.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
            StreamingMetrics.MeterName, "streamingapi.tool.cancellations");

        var frames = await app.CreateClient().GetFramesAsync("/stream/analysis?prompt=Analyze%202024%20sales&maxSeconds=1");

        Assert.Equal(["run", "reasoning", "tool-call"], frames.Shape().Take(3));
        Assert.Equal("time-limit", frames[^1]["reason"].GetString());
        await cancellations.WaitForMeasurementsAsync(1, TimeSpan.FromSeconds(10));
        await app.WaitForNoActiveRunsAsync();
    }
}
