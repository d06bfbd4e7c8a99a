using Microsoft.Extensions.DependencyInjection;
using Serilog.Events;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Streams;

/// <summary>
/// A run stopped while one of its tools works: the tool's token fires, the run ends as <c>cancelled</c> with no
/// <c>tool-result</c>, no error logged and no exception thrown through the service's own code on the way (the tool's
/// wait, its filter, the function invocation layer, the agent). Exceptions are counted process-wide, first chance, as
/// <see cref="AbandonedStreamTests"/> counts them, so these tests run alone.
/// </summary>
[Collection(ProcessMetricsCollection.Name)]
public sealed class StoppedToolTests
{
    private const string Analysis = "/stream/analysis?prompt=Analyze%20our%202024%20sales";

    [Fact]
    public async Task ARunStoppedThroughTheApiDuringASlowToolEndsQuietly()
    {
        var waits = new TimerWatch(TimeSpan.FromMilliseconds(60_017)); // a length no other timer of the service has
        await using var app = new StreamingApiApplication().With("Tools:SalesDelayMs", "60017").With("Tools:CustomerDelayMs", "60017")
            .WithServices(services => services.AddSingleton<TimeProvider>(waits));
        var client = app.CreateSocketClient();
        var warm = await client.GetFramesAsync("/stream/analysis?prompt=Analyze%20our%202024%20sales&maxSeconds=1"); // loads and compiles what a run with tools uses
        Assert.Equal("time-limit", warm[^1]["reason"].GetString());
        await app.WaitForNoActiveRunsAsync();
        var waitsBefore = waits.Set;

        using var response = await client.OpenAsync(Analysis);
        await using var frames = response.ReadFramesAsync().GetAsyncEnumerator();
        while (await frames.MoveNextAsync() && frames.Current.Type != "tool-call") { }
        Assert.Equal("fetch_sales_data", frames.Current["name"].GetString());
        var runId = frames.Current.RunId;
        // Stopped once its tools wait: the tool-call events come before a tool begins, and a run stopped in between never
        // starts it (Semantic Kernel refuses a function whose token has fired, by throwing). A turn's calls (two years of
        // sales, the customers) run side by side, after the model has given them all: once one waits, the run knows how
        // many there are.
        await Eventually.TrueAsync(() => waits.Set > waitsBefore, "a tool of the run is waiting");
        var calls = (await client.GetRunAsync(runId)).GetProperty("output").GetProperty("toolCalls").GetArrayLength();
        await Eventually.TrueAsync(() => waits.Set - waitsBefore == calls, "all the run's tools are waiting");

        using var thrown = new FirstChanceExceptions();
        await app.Runs.CancelAsync(runId, CancellationToken.None);
        var rest = new List<Frame>();
        while (await frames.MoveNextAsync()) rest.Add(frames.Current);
        await app.WaitForNoActiveRunsAsync();

        Assert.Equal("done", rest[^1].Type);
        Assert.DoesNotContain("tool-result", rest.Shape());
        Assert.Equal(("cancelled", "stopped"), (rest[^1]["status"].GetString(), rest[^1]["reason"].GetString()));
        Assert.Empty(app.Logs.Events.Where(e => e.Level >= LogEventLevel.Error).Select(e => e.RenderMessage()));
        Assert.True(thrown.Count == 0, thrown.Describe());
    }
}
