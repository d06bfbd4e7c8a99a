using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using StreamingApi.Limits;
using StreamingApi.Runs;
using StreamingApi.Runs.Redis;
using StreamingApi.Tests.Approvals;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Limits;

/// <summary>A caller's limits on two instances that share one real redis-server: what it does on one counts on the other.</summary>
public sealed class RedisLimitTests
{
    private static StreamingApiApplication Instance(RedisServer redis) => redis.Instance();

    [Fact]
    public async Task RunsStartedOnOneInstanceDrawOnTheBucketOfTheOther()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = Instance(redis).With("RateLimits:RunsPerMinute", "2");
        await using var b = Instance(redis).With("RateLimits:RunsPerMinute", "2");
        var (onA, onB) = (a.CreateClient(), b.CreateClient());

        await onA.StartedRunIdAsync();
        await onA.StartedRunIdAsync();

        using var refused = await onB.StartRunAsync();
        await refused.AssertRefusedAsync("rate-limited");
        Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 30);
        a.AssertNoErrorLogged();
        b.AssertNoErrorLogged();
    }

    [Fact]
    public async Task ARunInProgressOnOneInstanceCountsOnTheOtherUntilItEnds()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = Instance(redis).WithSlowRuns().With("RateLimits:ConcurrentRuns", "1");
        await using var b = Instance(redis).WithSlowRuns().With("RateLimits:ConcurrentRuns", "1");
        var (onA, onB) = (a.CreateClient(), b.CreateClient());
        var running = await onA.StartedRunIdAsync();

        using var refused = await onB.StartRunAsync();
        await refused.AssertRefusedAsync("too-many-concurrent-runs");

        Assert.Equal(HttpStatusCode.Accepted, (await onB.PostAsync($"/runs/{running}/cancel", null)).StatusCode); // stopped from B, on A
        await a.WaitForNoActiveRunsAsync();
        var next = await onB.StartedRunIdAsync();
        await onB.PostAsync($"/runs/{next}/cancel", null);
        await b.WaitForNoActiveRunsAsync();
        a.AssertNoErrorLogged();
        b.AssertNoErrorLogged();
    }

    [Fact]
    public async Task RunsStartedAtTheSameInstantOnTwoInstancesNeverPassTheCallersRunsInProgress()
    {
        await using var redis = await RedisServer.StartAsync();
        var gate = new RunStartGate();
        await using var a = Instance(redis).WithSlowRuns().With("RateLimits:ConcurrentRuns", "2").WithRunStartGate(gate);
        await using var b = Instance(redis).WithSlowRuns().With("RateLimits:ConcurrentRuns", "2").WithRunStartGate(gate);
        var (onA, onB) = (a.CreateClient(), b.CreateClient());

        var (started, refused) = await new[] { onA, onB }.StartRunsAtOnceAsync(gate, 6);

        Assert.Equal(2, started.Count);
        Assert.Equal(4, refused.Count);
        Assert.Equal(2, await onB.RunsInProgressAsync());
        foreach (var runId in started) Assert.Equal(HttpStatusCode.Accepted, (await onA.PostAsync($"/runs/{runId}/cancel", null)).StatusCode);
        await a.WaitForNoActiveRunsAsync();
        await b.WaitForNoActiveRunsAsync();
        await Eventually.TrueAsync(async () => await onA.RunsInProgressAsync() == 0, "the runs' slots are free");
        a.AssertNoErrorLogged();
        b.AssertNoErrorLogged();
    }

    [Fact]
    public async Task ARequestAdmittedThatStartsNoRunGivesItsSlotBackOnEveryInstance()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = Instance(redis).WithSlowRuns().With("RateLimits:ConcurrentRuns", "1");
        await using var b = Instance(redis).WithSlowRuns().With("RateLimits:ConcurrentRuns", "1");
        var (onA, onB) = (a.CreateClient(), b.CreateClient());

        using var bad = await onA.PostAsJsonAsync("/runs", new { agent = "writer" }); // no prompt: 400 after admission
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);

        await Eventually.TrueAsync(async () => await onB.RunsInProgressAsync() == 0, "the bad request's slot is free");
        var running = await onB.StartedRunIdAsync();
        Assert.Equal(1, await onA.RunsInProgressAsync());
        await onB.PostAsync($"/runs/{running}/cancel", null);
        await b.WaitForNoActiveRunsAsync();
    }

    [Fact]
    public async Task ARunRefusedForTheCallersRunsInProgressTakesNoTokenFromItsBucket()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = Instance(redis).WithSlowRuns().With("RateLimits:RunsPerMinute", "2").With("RateLimits:ConcurrentRuns", "1");
        await using var b = Instance(redis).WithSlowRuns().With("RateLimits:RunsPerMinute", "2").With("RateLimits:ConcurrentRuns", "1");
        var (onA, onB) = (a.CreateClient(), b.CreateClient());
        var running = await onA.StartedRunIdAsync(); // the first of the bucket's two tokens; the next is back in 30 s

        for (var i = 0; i < 3; i++)
        {
            using var refused = await onB.StartRunAsync();
            await refused.AssertRefusedAsync("too-many-concurrent-runs");
        }
        await onA.PostAsync($"/runs/{running}/cancel", null);
        await a.WaitForNoActiveRunsAsync();
        await Eventually.TrueAsync(async () => await onB.RunsInProgressAsync() == 0, "the run's slot is free");

        var next = await onB.StartedRunIdAsync(); // the second token: the refusals took none
        Assert.Equal(1, await onA.RunsInProgressAsync());
        await onB.PostAsync($"/runs/{next}/cancel", null);
        await b.WaitForNoActiveRunsAsync();
        a.AssertNoErrorLogged();
        b.AssertNoErrorLogged();
    }

    [Fact]
    public async Task ARunRefusedForTheQuotaTakesNoTokenAndReservesNoSlot()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = Instance(redis).WithSlowRuns().With("Quotas:TokensPerDay", "1").With("RateLimits:RunsPerMinute", "2")
            .With("RateLimits:ConcurrentRuns", "2");
        var client = a.CreateClient();
        var spending = await client.StartedRunIdAsync(); // the first of two tokens
        await client.PostAsync($"/runs/{spending}/cancel", null);
        await a.WaitForNoActiveRunsAsync();
        var usage = await client.GetFromJsonAsync<JsonElement>("/usage");
        var caller = usage.GetProperty("caller").GetString()!;
        await using var direct = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var tokens = a.Services.GetRequiredService<RedisLimitKeys>().Tokens(caller, DateOnly.FromDateTime(DateTime.UtcNow));
        await direct.GetDatabase().StringSetAsync(tokens, 1); // today's quota spent

        for (var i = 0; i < 3; i++)
        {
            using var refused = await client.StartRunAsync();
            await refused.AssertRefusedAsync("quota-exceeded");
        }
        Assert.Equal(0, await client.RunsInProgressAsync());

        await direct.GetDatabase().KeyDeleteAsync(tokens); // as a new day would
        var next = await client.StartedRunIdAsync(); // the second token: the refusals took none
        await client.PostAsync($"/runs/{next}/cancel", null);
        await a.WaitForNoActiveRunsAsync();
        a.AssertNoErrorLogged();
    }

    [Fact]
    public async Task TheLimitsCostARunsStartOneRedisCommandAndItsEndOne()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = Instance(redis).WithSlowRuns().With("Quotas:TokensPerDay", "1000000");
        var client = a.CreateClient();
        await client.PostAsync($"/runs/{await client.StartedRunIdAsync()}/cancel", null); // Redis knows the scripts from here on
        await a.WaitForNoActiveRunsAsync();
        await Eventually.TrueAsync(() => a.Logs.Events.Count(LogCapture.IsRequestLine) == 2, "the first run's requests have ended");
        await using var monitor = await RedisMonitor.StartAsync(redis.Port);
        await monitor.ClientCommandsAsync();

        var runId = await client.StartedRunIdAsync();
        await Eventually.TrueAsync(() => a.Logs.Events.Count(LogCapture.IsRequestLine) == 3, "the start's request has ended");
        var atStart = (await monitor.ClientCommandsAsync()).Where(IsLimits).ToList(); // the quota, the runs in progress and the bucket
        Assert.True(atStart.Count == 1, $"{atStart.Count} commands:\n{string.Join('\n', atStart)}");
        Assert.Contains("\"EVAL", atStart[0], StringComparison.OrdinalIgnoreCase);

        await client.PostAsync($"/runs/{runId}/cancel", null);
        await a.WaitForNoActiveRunsAsync();
        var atEnd = (await monitor.ClientCommandsAsync()).Where(command => command.Contains("limits:running:", StringComparison.Ordinal)).ToList();
        Assert.True(atEnd.Count == 1, $"{atEnd.Count} commands:\n{string.Join('\n', atEnd)}");
        var end = atEnd[0];
        Assert.Contains("\"ZREM\"", end, StringComparison.OrdinalIgnoreCase);
        Assert.Contains($"\"{runId}\"", end, StringComparison.Ordinal);
        Assert.Contains("\"reserved:", end, StringComparison.Ordinal); // the slot it was admitted with, its own ever since
        a.AssertNoErrorLogged();

        static bool IsLimits(string command) => command.Contains(":limits:", StringComparison.Ordinal);
    }

    [Fact]
    public async Task AWaitingRunHoldsNoSlotAndItsEndOnTheOtherInstanceFreesWhatItHeld()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = redis.Instance(ApprovalTests.App()).With("RateLimits:ConcurrentRuns", "1");
        await using var b = redis.Instance(ApprovalTests.App()).With("RateLimits:ConcurrentRuns", "1");
        var (onA, onB) = (a.CreateSocketClient(), b.CreateSocketClient());
        var runId = await ApprovalTests.StartAsync(onA); // admitted with a slot, which the run keeps

        using var response = await onB.OpenAsync($"/runs/{runId}/events");
        await using var frames = response.ReadFramesAsync().GetAsyncEnumerator();
        var read = await ApprovalTests.ReadUntilAsync(frames, "approval-request");
        await Eventually.TrueAsync(async () => await onB.RunsInProgressAsync() == 0, "the waiting run holds no slot");

        using (var decided = await ApprovalTests.DecideAsync(onB, runId, read[^1]["approvalId"].GetString()!, approved: true))
            Assert.Equal(HttpStatusCode.OK, decided.StatusCode); // B goes on with it, counted by its id
        read.AddRange(await ApprovalTests.ReadToEndAsync(frames));
        Assert.Equal(("done", "completed"), (read[^1].Type, read[^1]["status"].GetString()));
        await Eventually.TrueAsync(() => a.Runs.ActiveCount + b.Runs.ActiveCount == 0, "the run has ended");
        await Eventually.TrueAsync(async () => await onA.RunsInProgressAsync() == 0, "its end freed what it held");
        var next = await onA.StartedRunIdAsync();
        await onA.PostAsync($"/runs/{next}/cancel", null);
        await a.WaitForNoActiveRunsAsync();
    }

    [Fact]
    public async Task TokensUsedOnOneInstanceSpendTheQuotaOnTheOther()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = Instance(redis).With("Quotas:TokensPerDay", "1");
        await using var b = Instance(redis).With("Quotas:TokensPerDay", "1");
        var (onA, onB) = (a.CreateClient(), b.CreateClient());

        var frames = await onA.GetFramesAsync("/stream/text?prompt=hi");
        Assert.Equal("completed", frames[^1]["status"].GetString());

        await Eventually.TrueAsync(async () =>
        {
            using var response = await onB.StartRunAsync();
            return response.StatusCode == HttpStatusCode.TooManyRequests;
        }, "B refuses once A's run has been counted");
        using var refused = await onB.StartRunAsync();
        await refused.AssertRefusedAsync("quota-exceeded");
    }

    [Fact]
    public async Task WithRedisOutOfReachARunIsRefusedAsTheStoreUnavailableNotAsAnError()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = Instance(redis).With("Quotas:TokensPerDay", "1000");
        var client = a.CreateClient();
        await client.StartedRunIdAsync();
        await a.WaitForNoActiveRunsAsync();
        await redis.KillAsync();
        await Eventually.TrueAsync(async () => (await client.GetAsync("/health/ready")).StatusCode == HttpStatusCode.ServiceUnavailable,
            "the instance knows Redis is gone");

        using var refused = await client.StartRunAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("store-unavailable", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/usage")).StatusCode);
        // The readiness check's own line is an error on purpose: Redis is gone. Nothing else is.
        Assert.DoesNotContain(a.Logs.Events, e => e.Level >= Serilog.Events.LogEventLevel.Error && !e.MessageTemplate.Text.StartsWith("Health check", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheSharedBucketRefillsAsTheClockGoesOn()
    {
        await using var redis = await RedisServer.StartAsync();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Redis"] = redis.ConnectionString }).Build();
        await using var connection = new RedisConnection(configuration, NullLogger<RedisConnection>.Instance);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var bucket = new RedisCallerLimits("test", connection, new RedisLimitKeys(Options.Create(new RedisOptions())),
            Options.Create(new RateLimitOptions { RunsPerMinute = 2, ConcurrentRuns = 100 }), Options.Create(new QuotaOptions()),
            Options.Create(new RunOptions()), time);
        async Task<RateLimitLease> Admit() => await bucket.AdmitAsync(Guid.NewGuid().ToString("N"), CancellationToken.None);

        Assert.True((await Admit()).IsAcquired);
        Assert.True((await Admit()).IsAcquired);
        var refused = await Admit();
        Assert.False(refused.IsAcquired);
        Assert.True(refused.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(30), retryAfter);

        time.Advance(TimeSpan.FromSeconds(29));
        Assert.False((await Admit()).IsAcquired);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True((await Admit()).IsAcquired);
        Assert.False((await Admit()).IsAcquired);
        time.Advance(TimeSpan.FromMinutes(10)); // never more than it holds
        Assert.True((await Admit()).IsAcquired);
        Assert.True((await Admit()).IsAcquired);
        Assert.False((await Admit()).IsAcquired);
    }
}
