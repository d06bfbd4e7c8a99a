using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using StreamingApi.Observability;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Streams;

/// <summary>
/// A stream its client leaves after the first frame, its run stopped with it (detach grace 0): the stop travels from the
/// run host through the agent to the model, and ends the run as <c>cancelled</c> without a single exception thrown on
/// the way. Exceptions are counted process-wide, first chance (each throw and each rethrow of an await), so these tests
/// run alone.
/// </summary>
[Collection(ProcessMetricsCollection.Name)]
public sealed class AbandonedStreamTests
{
    private const string Essay = "/stream/text?prompt=Write%20a%20long%20essay%20about%20lighthouses";

    [Fact]
    public async Task ARunStoppedWhileTheModelWaitsForItsFirstTokenThrowsNoException()
    {
        // The first token is an hour away: the run is in the model's wait when its client leaves.
        await using var app = new StreamingApiApplication()
            .With("OfflineModel:TokensPerSecond", "20")
            .With("OfflineModel:FirstTokenDelayMs", "3600000");
        await AssertAbandonedRunThrowsNothingAsync(app);
    }

    [Fact]
    public async Task ARunStoppedBetweenTokensThrowsNoException()
    {
        // Tokens every half second, the client leaves after the first frame: the run is stopped between two tokens.
        await using var app = new StreamingApiApplication()
            .With("OfflineModel:TokensPerSecond", "2");
        await AssertAbandonedRunThrowsNothingAsync(app);
    }

    [Fact]
    public async Task ARunStoppedThroughTheApiThrowsNoExceptionAndEndsAsStopped()
    {
        await using var app = new StreamingApiApplication()
            .With("OfflineModel:TokensPerSecond", "20")
            .With("OfflineModel:FirstTokenDelayMs", "3600000");
        using var durations = new MetricCollector<double>(app.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
            ModelCallMetrics.MeterName, "gen_ai.client.operation.duration");
        var client = app.CreateSocketClient();
        using var response = await client.OpenAsync(Essay);
        await using var frames = response.ReadFramesAsync().GetAsyncEnumerator();
        Assert.True(await frames.MoveNextAsync());
        var runId = frames.Current.RunId;

        using var thrown = new FirstChanceExceptions();
        await app.Runs.CancelAsync(runId, CancellationToken.None);
        var rest = new List<Frame>();
        while (await frames.MoveNextAsync()) rest.Add(frames.Current);
        await app.WaitForNoActiveRunsAsync();

        Assert.Equal(["done"], rest.Shape());
        Assert.Equal(("cancelled", "stopped"), (rest[0]["status"].GetString(), rest[0]["reason"].GetString()));
        Assert.True(thrown.Count == 0, thrown.Describe());
        // The model's stream ended quietly, and its call is still measured as a cancelled one.
        await durations.WaitForMeasurementsAsync(1, TimeSpan.FromSeconds(10));
        Assert.Equal(typeof(OperationCanceledException).FullName, Assert.Single(durations.GetMeasurementSnapshot()).Tags["error.type"]);
    }

    private static async Task AssertAbandonedRunThrowsNothingAsync(StreamingApiApplication app)
    {
        var client = app.CreateSocketClient();
        await client.GetFramesAsync("/stream/text?prompt=hi&maxSeconds=1"); // warm: first calls load and compile what a run uses
        await app.WaitForNoActiveRunsAsync();

        using var thrown = new FirstChanceExceptions();
        var runId = (await client.ReadThenDropAsync(Essay, 1))[0].RunId;
        var ended = await app.Logs.WaitForAsync(e => LogCapture.IsRunEnded(e) && LogCapture.Scalar(e, "RunId") == runId);
        await app.WaitForNoActiveRunsAsync();
        await Eventually.TrueAsync(() => app.Logs.Events.Count(LogCapture.IsRequestLine) == 2, "both requests have ended");

        Assert.Equal(("cancelled", "client-disconnected"), (LogCapture.Scalar(ended, "Status"), LogCapture.Scalar(ended, "Reason")));
        Assert.True(thrown.Count == 0, thrown.Describe());
    }
}
