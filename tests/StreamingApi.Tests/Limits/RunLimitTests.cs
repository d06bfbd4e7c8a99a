using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Limits;

/// <summary>The limits on starting runs, on one instance: runs per minute, runs in progress, runs per instance.</summary>
public sealed class RunLimitTests
{
    [Fact]
    public async Task ARunStartedOnceTheBucketIsEmptyIsRefusedAsRateLimitedAndReadsAreNot()
    {
        await using var app = new StreamingApiApplication().With("RateLimits:RunsPerMinute", "2");
        var client = app.CreateClient();
        var first = await client.StartedRunIdAsync();
        await client.StartedRunIdAsync();

        using var third = await client.StartRunAsync();
        await third.AssertRefusedAsync("rate-limited");
        Assert.InRange(third.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 30); // a token every 30 seconds
        using var stream = await client.GetAsync("/stream/text?prompt=hi");
        await stream.AssertRefusedAsync("rate-limited"); // every endpoint that starts a run draws on the same bucket
        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/runs/{first}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/usage")).StatusCode);
        app.AssertNoErrorLogged();
    }

    [Fact]
    public async Task BehindALoopbackProxyEachForwardedClientHasItsOwnBucket()
    {
        await using var app = new StreamingApiApplication().With("RateLimits:RunsPerMinute", "1");
        var client = app.CreateClient();
        HttpRequestMessage From(string address, HttpMethod method, string url)
        {
            var request = new HttpRequestMessage(method, url);
            request.Headers.Add("X-Forwarded-For", address);
            if (method == HttpMethod.Post) request.Content = JsonContent.Create(new { agent = "writer", prompt = "hi" });
            return request;
        }

        Assert.Equal(HttpStatusCode.Accepted, (await client.SendAsync(From("203.0.113.7", HttpMethod.Post, "/runs"))).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await client.SendAsync(From("203.0.113.8", HttpMethod.Post, "/runs"))).StatusCode);
        using var again = await client.SendAsync(From("203.0.113.7", HttpMethod.Post, "/runs"));
        await again.AssertRefusedAsync("rate-limited");
        var usage = await (await client.SendAsync(From("203.0.113.8", HttpMethod.Get, "/usage"))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("address:203.0.113.8", usage.GetProperty("caller").GetString());
    }

    [Theory]
    [InlineData("GET", "/stream/analysis?prompt=hi", null)]
    [InlineData("POST", "/stream/progress", """{"prompt":"hi"}""")]
    [InlineData("POST", "/agent/text", """{"prompt":"hi"}""")]
    [InlineData("POST", "/api/agents/writer/chat", """{"id":"c","messages":[{"id":"u","role":"user","parts":[{"type":"text","text":"hi"}]}]}""")]
    [InlineData("POST", "/api/agents/writer/ag-ui", """{"threadId":"t","runId":"r","messages":[{"id":"u","role":"user","content":"hi"}]}""")]
    public async Task EveryEndpointThatStartsARunIsHeldToTheLimits(string method, string url, string? body)
    {
        await using var app = new StreamingApiApplication().With("RateLimits:RunsPerMinute", "1");
        var client = app.CreateClient();
        await client.StartedRunIdAsync();

        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (body is not null) request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var refused = await client.SendAsync(request);

        await refused.AssertRefusedAsync("rate-limited");
        Assert.Equal(HttpStatusCode.NoContent, (await client.GetAsync("/api/agents/writer/chat/c/stream")).StatusCode); // a resume is not
        app.AssertNoErrorLogged();
    }

    [Fact]
    public async Task AReconnectingStreamIsNotARunStartedSoTheBucketDoesNotRefuseIt()
    {
        await using var app = new StreamingApiApplication().With("RateLimits:RunsPerMinute", "1").With("Runs:ReplayWindow", "4096");
        var client = app.CreateClient();
        var frames = await client.GetFramesAsync("/stream/text?prompt=hi");

        using var another = await client.GetAsync("/stream/text?prompt=hi");
        await another.AssertRefusedAsync("rate-limited");
        using var resumed = await client.ReconnectAsync("/stream/text?prompt=hi", frames[0].Id!);
        Assert.NotEqual(HttpStatusCode.TooManyRequests, resumed.StatusCode);
    }

    [Fact]
    public async Task ALastEventIdOnAnEndpointThatDoesNotResumeByItIsStillLimited()
    {
        await using var app = new StreamingApiApplication().With("RateLimits:RunsPerMinute", "1");
        var client = app.CreateClient();
        await client.StartedRunIdAsync();

        using var request = new HttpRequestMessage(HttpMethod.Post, "/runs") { Content = JsonContent.Create(new { agent = "writer", prompt = "hi" }) };
        request.Headers.Add("Last-Event-ID", "0123456789abcdef:1");
        using var refused = await client.SendAsync(request);

        await refused.AssertRefusedAsync("rate-limited");
    }

    [Fact]
    public async Task ABackgroundRunCountsAsInProgressUntilItEndsNotUntilItsRequestEnds()
    {
        await using var app = new StreamingApiApplication().WithSlowRuns().With("RateLimits:ConcurrentRuns", "1");
        var client = app.CreateClient();
        var running = await client.StartedRunIdAsync(); // its request has ended; the run goes on

        using var refused = await client.StartRunAsync();
        await refused.AssertRefusedAsync("too-many-concurrent-runs");
        using var stream = await client.PostAsJsonAsync("/api/chat", new { id = "c1", messages = new[] { new { id = "u", role = "user", parts = new[] { new { type = "text", text = "hi" } } } } });
        await stream.AssertRefusedAsync("too-many-concurrent-runs");
        var usage = await client.GetFromJsonAsync<JsonElement>("/usage");
        Assert.Equal((1, 1), (usage.GetProperty("runsInProgress").GetInt32(), usage.GetProperty("concurrentRuns").GetInt32()));

        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/runs/{running}/cancel", null)).StatusCode);
        await app.WaitForNoActiveRunsAsync();
        var next = await client.StartedRunIdAsync(); // released at the run's end
        await client.PostAsync($"/runs/{next}/cancel", null);
        app.AssertNoErrorLogged();
    }

    [Fact]
    public async Task RunsStartedAtTheSameInstantNeverPassTheCallersRunsInProgress()
    {
        var gate = new RunStartGate();
        await using var app = new StreamingApiApplication().WithSlowRuns().With("RateLimits:ConcurrentRuns", "2").WithRunStartGate(gate);
        var client = app.CreateClient();

        var (started, refused) = await new[] { client }.StartRunsAtOnceAsync(gate, 6);

        Assert.Equal(2, started.Count);
        Assert.Equal(4, refused.Count);
        Assert.Equal(2, await client.RunsInProgressAsync()); // each run holds the slot it was admitted with, not another
        foreach (var runId in started) await client.PostAsync($"/runs/{runId}/cancel", null);
        await app.WaitForNoActiveRunsAsync();
        await Eventually.TrueAsync(async () => await client.RunsInProgressAsync() == 0, "the runs' slots are free");
        app.AssertNoErrorLogged();
    }

    [Theory]
    [InlineData("""{"agent":"writer"}""")] // no prompt: a validation problem, after admission
    [InlineData("""{"agent":"writer","prompt":""")] // not JSON
    public async Task ARequestAdmittedThatStartsNoRunGivesItsSlotBack(string body)
    {
        await using var app = new StreamingApiApplication().WithSlowRuns().With("RateLimits:ConcurrentRuns", "1");
        var client = app.CreateClient();

        using var bad = await client.PostAsync("/runs", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);

        await Eventually.TrueAsync(async () => await client.RunsInProgressAsync() == 0, "the bad request's slot is free");
        var running = await client.StartedRunIdAsync();
        Assert.Equal(1, await client.RunsInProgressAsync());
        await client.PostAsync($"/runs/{running}/cancel", null);
    }

    [Fact]
    public async Task AStreamThatEndsGivesItsRunsSlotBackOnce()
    {
        await using var app = new StreamingApiApplication().With("RateLimits:ConcurrentRuns", "1");
        var client = app.CreateClient();

        for (var i = 0; i < 3; i++)
        {
            var frames = await client.GetFramesAsync("/stream/text?prompt=hi");
            Assert.Equal("completed", frames[^1]["status"].GetString());
            await Eventually.TrueAsync(async () => await client.RunsInProgressAsync() == 0, "the run's slot is free");
        }
        app.AssertNoErrorLogged();
    }

    [Fact]
    public async Task AStreamsRunInItsDetachGraceStillCounts()
    {
        await using var app = new StreamingApiApplication().WithSlowRuns().With("RateLimits:ConcurrentRuns", "1").With("Runs:DetachGraceSeconds", "600");
        var client = app.CreateSocketClient();
        var runId = (await client.ReadThenDropAsync("/stream/text?prompt=hi", 1))[0].RunId; // the reader leaves; the run waits for it

        await Eventually.TrueAsync(() => app.Logs.Events.Count(LogCapture.IsRequestLine) == 1, "the stream's request has ended");
        using var refused = await client.StartRunAsync();
        await refused.AssertRefusedAsync("too-many-concurrent-runs");
        await app.Runs.CancelAsync(runId, CancellationToken.None);
    }

    [Fact]
    public async Task AnInstanceRunningItsMostRunsRefusesAnyCallersNextRun()
    {
        await using var app = new StreamingApiApplication().WithSlowRuns().With("RateLimits:MaxActiveRuns", "1");
        var client = app.CreateClient();
        var running = await client.StartedRunIdAsync();

        using var refused = await client.StartRunAsync();
        await refused.AssertRefusedAsync("too-many-active-runs");
        await client.PostAsync($"/runs/{running}/cancel", null);
        await app.WaitForNoActiveRunsAsync();
        await client.PostAsync($"/runs/{await client.StartedRunIdAsync()}/cancel", null);
        app.AssertNoErrorLogged();
    }

    [Fact]
    public async Task RunsAdmittedAtTheSameInstantNeverPassTheInstancesMostRuns()
    {
        var gate = new RunStartGate();
        await using var app = new StreamingApiApplication().WithSlowRuns().With("RateLimits:MaxActiveRuns", "2").WithRunStartGate(gate);
        var client = app.CreateClient();
        using var bad = await client.PostAsJsonAsync("/runs", new { agent = "writer" }); // admitted, then no run: it counts no more
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);

        var (started, refused) = await new[] { client }.StartRunsAtOnceAsync(gate, 6, "too-many-active-runs");

        Assert.Equal(2, started.Count);
        Assert.Equal(4, refused.Count);
        Assert.Equal(2, app.Runs.ActiveCount);
        foreach (var runId in started) await client.PostAsync($"/runs/{runId}/cancel", null);
        await app.WaitForNoActiveRunsAsync();
        var next = await client.StartedRunIdAsync(); // the started runs no longer count as admitted
        await client.PostAsync($"/runs/{next}/cancel", null);
        await app.WaitForNoActiveRunsAsync();
        app.AssertNoErrorLogged();
    }
}
