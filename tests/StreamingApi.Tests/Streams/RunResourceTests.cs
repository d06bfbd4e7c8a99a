using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using StreamingApi.Observability;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Streams;

/// <summary>Runs as resources: started in the background, read and stopped by id.</summary>
public sealed class RunResourceTests
{
    [Fact]
    public async Task PostingARunAcceptsItAndItsStatusAndEventsAreReadableById()
    {
        await using var app = new StreamingApiApplication().With("Runs:ReplayWindow", "4096"); // the finished run is held whole
        var client = app.CreateClient();

        using var accepted = await client.PostAsJsonAsync("/runs", new { agent = "analyst", prompt = "Analyze our 2024 sales" });
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var body = await accepted.Content.ReadFromJsonAsync<JsonElement>();
        var runId = body.GetProperty("runId").GetString()!;
        Assert.Equal($"/runs/{runId}", accepted.Headers.Location?.OriginalString);
        Assert.Equal($"/runs/{runId}/events", body.GetProperty("events").GetString());
        Assert.Equal("running", body.GetProperty("status").GetString());

        await Eventually.TrueAsync(async () => (await client.GetRunAsync(runId)).GetProperty("status").GetString() != "running", "the run has ended");
        var run = await client.GetRunAsync(runId);
        var frames = await client.GetFramesAsync($"/runs/{runId}/events");

        Assert.Equal("completed", run.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, run.GetProperty("reason").ValueKind);
        Assert.Equal("analyst", run.GetProperty("agent").GetString());
        Assert.Equal("runs", run.GetProperty("endpoint").GetString());
        Assert.Equal("offline-writer-1", run.GetProperty("model").GetString());
        Assert.True(run.GetProperty("endedAt").GetDateTimeOffset() >= run.GetProperty("startedAt").GetDateTimeOffset());
        Assert.Equal(frames.Count, run.GetProperty("lastSequence").GetInt64());
        Assert.Equal(["runId", "agent", "endpoint", "model", "status", "reason", "startedAt", "endedAt", "lastSequence", "output"],
            run.EnumerateObject().Select(p => p.Name));
        Answers.Same(frames.Fold().Json(), run.GetProperty("output").AsNode()); // the run's answer, as its events give it
        Assert.Equal(["run"], frames.Take(1).Select(f => f.Type));
        Assert.Equal(["result", "done"], frames.TakeLast(2).Select(f => f.Type));
        Assert.All(frames, f => Assert.Equal(runId, f.RunId));
    }

    [Fact]
    public async Task ABackgroundRunGoesOnWhenItsReadersLeave()
    {
        await using var app = new StreamingApiApplication().With("OfflineModel:TokensPerSecond", "400").With("Runs:ReplayWindow", "4096");
        var client = app.CreateSocketClient();
        var runId = await StartAsync(client, new { agent = "writer", prompt = "Explain harbours" });

        var firstFew = await client.ReadThenDropAsync($"/runs/{runId}/events", 3);
        Assert.Equal([1L, 2, 3], firstFew.Select(f => f.Sequence));

        await Eventually.TrueAsync(async () => (await client.GetRunAsync(runId)).GetProperty("status").GetString() != "running", "the run has ended");
        Assert.Equal("completed", (await client.GetRunAsync(runId)).GetProperty("status").GetString());
        var rest = await client.ResumeFramesAsync($"/runs/{runId}/events", firstFew[^1].Id!);
        Assert.Equal(4, rest[0].Sequence);
        Assert.Equal("done", rest[^1].Type);
    }

    [Fact]
    public async Task CancellingARunStopsItsRunningToolAndEndsItsStreamWithDoneStopped()
    {
        await using var app = new StreamingApiApplication().With("Tools:SalesDelayMs", "60000");
        var client = app.CreateClient();
        using var cancellations = new MetricCollector<long>(app.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
            StreamingMetrics.MeterName, "streamingapi.tool.cancellations");
        var runId = await StartAsync(client, new { agent = "analyst", prompt = "Analyze our 2024 sales" });

        using var response = await client.OpenAsync($"/runs/{runId}/events");
        await using var frames = response.ReadFramesAsync().GetAsyncEnumerator();
        while (await frames.MoveNextAsync() && frames.Current.Type != "tool-call") { }
        Assert.Equal("fetch_sales_data", frames.Current["name"].GetString());

        using var cancel = await client.PostAsync($"/runs/{runId}/cancel", null);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        var rest = new List<Frame>();
        while (await frames.MoveNextAsync()) rest.Add(frames.Current);
        Assert.Equal("done", rest[^1].Type);
        Assert.Equal("cancelled", rest[^1]["status"].GetString());
        Assert.Equal("stopped", rest[^1]["reason"].GetString());
        await cancellations.WaitForMeasurementsAsync(1, TimeSpan.FromSeconds(10));
        Assert.Contains(cancellations.GetMeasurementSnapshot(), m => Equals(m.Tags["tool"], "fetch_sales_data"));

        using var again = await client.PostAsync($"/runs/{runId}/cancel", null);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var record = await again.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("cancelled", record.GetProperty("status").GetString());
        Assert.Equal("stopped", record.GetProperty("reason").GetString());
        var ended = await app.Logs.WaitForAsync(LogCapture.IsRunEnded);
        Assert.Equal("stopped", LogCapture.Scalar(ended, "Reason"));
    }

    [Fact]
    public async Task AStreamsRunCanBeCancelledByIdToo()
    {
        await using var app = new StreamingApiApplication().With("OfflineModel:TokensPerSecond", "50");
        var client = app.CreateClient();
        using var response = await client.OpenAsync("/stream/text?prompt=Write%20a%20long%20essay%20about%20bridges");
        await using var frames = response.ReadFramesAsync().GetAsyncEnumerator();
        Assert.True(await frames.MoveNextAsync());
        var runId = frames.Current.RunId;

        using var cancel = await client.PostAsync($"/runs/{runId}/cancel", null);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        Frame last = frames.Current;
        while (await frames.MoveNextAsync()) last = frames.Current;
        Assert.Equal(("done", "cancelled", "stopped"), (last.Type, last["status"].GetString(), last["reason"].GetString()));
    }

    [Fact]
    public async Task StreamOptionsApplyToBackgroundRuns()
    {
        await using var app = new StreamingApiApplication().With("Runs:ReplayWindow", "4096"); // each run is read whole once it has ended
        var client = app.CreateClient();

        var progress = await client.GetFramesAsync($"/runs/{await StartAsync(client, new { agent = "writer", prompt = "Explain queues", every = 5 })}/events");
        var buffered = await client.GetFramesAsync(
            $"/runs/{await StartAsync(client, new { agent = "writer", prompt = "Explain queues", minChars = 80, maxDelayMs = 60000 })}/events");
        var failing = await client.GetFramesAsync($"/runs/{await StartAsync(client, new { agent = "inventory", prompt = "Check stock in Europe", fail = true })}/events");

        Assert.Contains(progress, f => f.Type == "progress");
        Assert.All(buffered.Where(f => f.Type == "text").SkipLast(1), f => Assert.True(f["delta"].GetString()!.Length >= 80));
        Assert.Equal(progress.Text(), buffered.Text());
        Assert.Equal(("tool-failed", "failed"), (failing.Single(f => f.Type == "error")["type"].GetString(), failing[^1]["status"].GetString()));
    }

    [Fact]
    public async Task AnUnknownRunIsNotFoundAndAReconnectToItIsNoContent()
    {
        await using var app = new StreamingApiApplication();
        var client = app.CreateClient();

        foreach (var (method, url) in new[] { ("GET", "/runs/0123456789abcdef"), ("GET", "/runs/0123456789abcdef/events"), ("POST", "/runs/0123456789abcdef/cancel") })
        {
            using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), url));
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("0123456789abcdef", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("runId").GetString());
        }
        using var reconnect = await client.ReconnectAsync("/runs/0123456789abcdef/events", "0123456789abcdef:3");
        Assert.Equal(HttpStatusCode.NoContent, reconnect.StatusCode);
    }

    [Fact]
    public async Task AFinishedRunIsForgottenAfterTheRetentionPeriod()
    {
        await using var app = new StreamingApiApplication().With("Runs:RetentionSeconds", "1");
        var client = app.CreateClient();
        var frames = await client.GetFramesAsync("/stream/text?prompt=hi");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/runs/{frames[0].RunId}")).StatusCode);

        await Eventually.TrueAsync(async () => (await client.GetAsync($"/runs/{frames[0].RunId}")).StatusCode == HttpStatusCode.NotFound,
            "the finished run has expired");
        Assert.Equal(0, app.Store.Count);
    }

    [Fact]
    public async Task EveryRunEndsAtTheServersCeilingEvenWithoutMaxSeconds()
    {
        await using var app = new StreamingApiApplication()
            .With("OfflineModel:TokensPerSecond", "50")
            .With("Runs:MaxRunSeconds", "1");
        var frames = await app.CreateClient().GetFramesAsync("/stream/text?prompt=Write%20a%20long%20essay%20about%20tides");

        Assert.Equal(("cancelled", "time-limit"), (frames[^1]["status"].GetString(), frames[^1]["reason"].GetString()));
        Assert.InRange(frames[^1]["elapsedMs"].GetInt64(), 900, 30_000);
    }

    private static async Task<string> StartAsync(HttpClient client, object body)
    {
        using var response = await client.PostAsJsonAsync("/runs", body);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("runId").GetString()!;
    }

}
